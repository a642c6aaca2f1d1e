//! A local stand-in for a third-party HTTP API: an actix-web server on 127.0.0.1, port 0, that
//! checks each request the way the provider would (a [`Protocol`]), counts and records requests,
//! and answers from a script, then as the provider would.

use std::{collections::VecDeque, net::TcpListener, sync::Mutex, time::Duration};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, http::StatusCode, web};
use serde_json::Value;

/// A status and a JSON body.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Answer {
    pub fn new(status: u16, body: Value) -> Self {
        Self { status, body }
    }
}

/// One scripted reaction.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Answer this.
    Answer(Answer),
    /// Wait this long, then answer success (longer than the client waits: a timeout).
    Hang(Duration),
}

/// What a provider checks and answers.
pub trait Protocol: Send + Sync + 'static {
    /// The path it serves (POST), an actix-web pattern.
    const PATH: &'static str;
    /// Checks a request as the provider would. `Err` carries what is wrong (for the test to see)
    /// and the provider's own answer to such a request.
    fn check(&self, request: &HttpRequest, body: &[u8]) -> Result<(), (String, Answer)>;
    /// The answer to a good request that the script does not answer.
    fn success(&self, request: &HttpRequest, body: &[u8]) -> Answer;
    /// Whether the script answers this request (all by default; a provider with several calls
    /// may script only some of them and answer the rest itself).
    fn scripted(&self, _request: &HttpRequest) -> bool {
        true
    }
}

/// A received request.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub path: String,
    pub headers: actix_web::http::header::HeaderMap,
    pub body: Vec<u8>,
}

struct State<P> {
    protocol: P,
    script: Mutex<VecDeque<Reply>>,
    requests: Mutex<Vec<Recorded>>,
    problems: Mutex<Vec<String>>,
}

/// A running fake provider.
pub struct Fake<P: Protocol> {
    pub url: String,
    state: web::Data<State<P>>,
    server: actix_web::dev::ServerHandle,
}

impl<P: Protocol> Fake<P> {
    pub async fn start(protocol: P) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = web::Data::new(State {
            protocol,
            script: Mutex::new(VecDeque::new()),
            requests: Mutex::new(Vec::new()),
            problems: Mutex::new(Vec::new()),
        });
        let shared = state.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(shared.clone())
                .route(P::PATH, web::post().to(handle::<P>))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .unwrap()
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Self {
            url: format!("http://127.0.0.1:{port}"),
            state,
            server: handle,
        }
    }

    /// Queues reactions for the next requests.
    pub fn script(&self, replies: impl IntoIterator<Item = Reply>) {
        self.state.script.lock().unwrap().extend(replies);
    }

    /// Requests received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.requests.lock().unwrap().clone()
    }

    /// The provider's own state.
    pub fn protocol(&self) -> &P {
        &self.state.protocol
    }

    /// What the protocol checks found wrong so far.
    pub fn problems(&self) -> Vec<String> {
        self.state.problems.lock().unwrap().clone()
    }

    pub async fn stop(self) {
        self.server.stop(false).await;
    }
}

async fn handle<P: Protocol>(
    state: web::Data<State<P>>,
    request: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    state.requests.lock().unwrap().push(Recorded {
        path: request.path().to_owned(),
        headers: request.headers().clone(),
        body: body.to_vec(),
    });
    if let Err((problem, answer)) = state.protocol.check(&request, &body) {
        state.problems.lock().unwrap().push(problem);
        return respond(answer);
    }
    let next = if state.protocol.scripted(&request) {
        state.script.lock().unwrap().pop_front()
    } else {
        None
    };
    match next {
        Some(Reply::Answer(answer)) => respond(answer),
        Some(Reply::Hang(pause)) => {
            tokio::time::sleep(pause).await;
            respond(state.protocol.success(&request, &body))
        }
        None => respond(state.protocol.success(&request, &body)),
    }
}

fn respond(answer: Answer) -> HttpResponse {
    HttpResponse::build(StatusCode::from_u16(answer.status).unwrap()).json(answer.body)
}

/// An address where nothing listens: connecting fails at once.
pub fn dead_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}
