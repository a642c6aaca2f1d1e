//! Building and running the HTTP server: [`Application::build`] binds the listener (port 0 picks a
//! free port, which is how tests start the real server) and [`Application::run_until_stopped`]
//! serves until SIGTERM/SIGINT, then drains in-flight requests and stops background work.

use std::{net::TcpListener, sync::Arc, time::Duration};

use crate::Settings;
use actix_web::{App, HttpResponse, HttpServer, dev::Server, http::header, web};
use anyhow::Context;
use entity::{
    Db,
    crypto::PiiCipher,
    identity::{
        accounts::{self, NewAccount},
        password::Password,
    },
    kernel::Role,
    people::Phone,
};
use migration::{Migrator, MigratorTrait};
use tokio::{sync::watch, task::JoinHandle};
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::{
    auth::{PasswordWork, jwt::JwtKeys, rate_limit::Limiters},
    error::ApiError,
    extract::{BodyLimit, path_config},
    metrics::Metrics,
    middleware::Observe,
    objects::Objects,
    openapi::ApiDoc,
    routes::{self, health::MetricsAccess},
};

/// The body limit when the settings name none (256 KiB).
pub const DEFAULT_BODY_LIMIT: usize = 256 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The process's metrics.
    pub metrics: Metrics,
    /// Access-token keys.
    pub jwt: Arc<JwtKeys>,
    /// The cipher for ID-card numbers.
    pub pii: PiiCipher,
    /// Password hashing off the async threads.
    pub passwords: PasswordWork,
    /// Rate limits (kept in the database).
    pub limiters: Limiters,
    /// Where one-time codes go out.
    pub sms: SmsSender,
    /// The broker's reachability in production mode (`None` in embedded mode).
    pub broker: Option<worker::rabbit::BrokerStatus>,
    /// Uploaded files (claim photos).
    pub objects: Objects,
    /// Who may read `/metrics` on the public port.
    pub metrics_access: MetricsAccess,
    /// How long a signed link to a printable sheet opens it.
    pub sheet_link_ttl: chrono::Duration,
    /// How long a signed link to a claim's photo opens it.
    pub image_link_ttl: chrono::Duration,
    /// What partners' webhook URLs may be.
    pub egress: worker::egress::EgressPolicy,
    /// The WeChat mini-program (login, phone numbers), when configured.
    pub wechat: Option<worker::dispatch::WeChatApp>,
    /// Which devices pushes reach: the same answer the dispatcher builds its clients from.
    pub push_routing: worker::settings::PushRouting,
}

/// The SMS provider the api sends one-time codes through, and its templates.
#[derive(Clone)]
pub struct SmsSender {
    /// The provider (the log in development).
    pub provider: Arc<dyn worker::delivery::SmsProvider>,
    /// The approved template for codes (parameter `code`).
    pub code_template: String,
    /// The approved template for notices (parameter `title`).
    pub notice_template: String,
}

/// A bound, not yet running, api server with its background work.
pub struct Application {
    port: u16,
    metrics_port: Option<u16>,
    server: Server,
    metrics_server: Option<Server>,
    state: AppState,
    db: Db,
    stop_background: watch::Sender<bool>,
    background: Vec<JoinHandle<()>>,
}

impl Application {
    /// Connects the database, applies migrations when configured to, binds the listener and
    /// starts the embedded worker when no broker is configured.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let db = settings.worker.connect_db().await?;
        if settings.migrate_on_start {
            Migrator::up(db.writer(), None)
                .await
                .context("applying database migrations")?;
        }
        Self::build_with_routes(settings, db, |_| {}).await
    }

    /// Like [`Application::build`], over an already connected (and migrated) database, with
    /// `extra_routes` mounted beside the API's own (tests of the shared mechanisms use this).
    pub async fn build_with_routes<F>(
        settings: Settings,
        db: Db,
        extra_routes: F,
    ) -> anyhow::Result<Self>
    where
        F: Fn(&mut web::ServiceConfig) + Clone + Send + 'static,
    {
        let listener = TcpListener::bind(&settings.listen)
            .with_context(|| format!("binding {}", settings.listen))?;
        let port = listener.local_addr()?.port();
        let metrics = Metrics::new().context("creating metrics")?;
        let jwt = JwtKeys::load(settings.jwt_keys.as_ref(), &settings.worker.data_dir)?;

        let pii = settings.worker.pii_cipher()?;
        let filled = entity::registry::ops::fill_id_card_tails(db.writer(), &pii)
            .await
            .context("filling ID-number tail hashes")?;
        if filled > 0 {
            tracing::info!(residents = filled, "filled ID-number tail hashes");
        }
        let providers = worker::dispatch::Providers::from_settings(&settings.worker)?;
        let state = AppState {
            db: db.clone(),
            metrics,
            jwt: Arc::new(jwt),
            limiters: Limiters::new(&settings, pii.clone()),
            pii,
            passwords: PasswordWork::default(),
            sms: SmsSender {
                provider: providers.sms.clone(),
                code_template: providers.sms_code_template.clone(),
                notice_template: providers.sms_template.clone(),
            },
            broker: settings
                .worker
                .rabbit()
                .map(|_| worker::rabbit::BrokerStatus::default()),
            objects: Objects::open(
                settings.object_store_url.as_deref(),
                &settings.object_store_options,
                &settings.worker.data_dir,
            )?,
            metrics_access: MetricsAccess::from_settings(&settings),
            sheet_link_ttl: chrono::Duration::seconds(
                i64::try_from(settings.sheet_link_seconds).unwrap_or(600),
            ),
            image_link_ttl: chrono::Duration::seconds(
                i64::try_from(settings.image_link_seconds).unwrap_or(600),
            ),
            egress: settings.worker.egress_policy(),
            wechat: providers.wechat.clone(),
            push_routing: settings.worker.push_routing()?,
        };
        // Metrics on an internal address of their own, for the scraper's network only.
        let (metrics_server, metrics_port) = match &settings.metrics_listen {
            Some(address) => {
                let listener = TcpListener::bind(address)
                    .with_context(|| format!("binding metrics_listen {address}"))?;
                let port = listener.local_addr()?.port();
                let metrics = state.metrics.clone();
                let embedded = state.broker.is_none().then(|| state.db.clone());
                let server = HttpServer::new(move || {
                    let (metrics, embedded) = (metrics.clone(), embedded.clone());
                    App::new().route(
                        "/metrics",
                        web::get().to(move || {
                            let (metrics, embedded) = (metrics.clone(), embedded.clone());
                            async move { routes::health::render(&metrics, embedded.as_ref()).await }
                        }),
                    )
                })
                .workers(1)
                .disable_signals()
                .listen(listener)?
                .run();
                (Some(server), Some(port))
            }
            None => (None, None),
        };
        bootstrap_admin(&settings, &state).await?;

        let (stop_background, stopped) = watch::channel(false);
        let mut background = Vec::new();
        if let (Some(rabbit), Some(status)) = (settings.worker.rabbit(), state.broker.clone()) {
            // Production mode: the worker processes relay and consume; the api watches the broker
            // for /readyz.
            background.push(tokio::spawn(worker::rabbit::monitor(
                rabbit.url,
                status,
                stopped.clone(),
            )));
        } else {
            // Embedded mode: the work of the worker process runs here.
            background.push(tokio::spawn(worker::relay::run_embedded(
                db.clone(),
                stopped.clone(),
            )));
            background.push(tokio::spawn(worker::scheduler::run(
                db.clone(),
                stopped.clone(),
            )));
            background.push(tokio::spawn(worker::housekeeping::run(
                db.clone(),
                settings.worker.retention(),
                stopped.clone(),
            )));
            background.push(tokio::spawn(worker::dispatch::run(
                db.clone(),
                providers,
                stopped.clone(),
            )));
            background.push(tokio::spawn(worker::partner_sync::run(
                db.clone(),
                settings.worker.webhooks()?,
                stopped.clone(),
            )));
        }

        let state_for_app = state.clone();
        let body_limit = settings.body_limit;
        let cors = std::sync::Arc::new(settings.cors_origins.clone());
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(state.clone()))
                .app_data(BodyLimit(body_limit))
                .app_data(path_config())
                .configure(configure_routes)
                .configure(extra_routes.clone())
                .default_service(web::to(|| async {
                    ApiError::RouteNotFound.error_response_owned()
                }))
                .wrap(Observe::new(state.metrics.clone()))
                .wrap_fn({
                    let cors = cors.clone();
                    move |req, srv| {
                        use actix_web::dev::Service as _;
                        let cors = cors.clone();
                        let outcome = match crate::cors::preflight(&cors, req) {
                            Ok(answered) => Ok(answered),
                            Err((req, allowed)) => Err((srv.call(req), allowed)),
                        };
                        async move {
                            match outcome {
                                Ok(answered) => Ok(answered.map_into_right_body()),
                                Err((call, allowed)) => {
                                    let mut response = call.await?;
                                    crate::cors::mark(&cors, response.headers_mut(), allowed);
                                    Ok(response.map_into_left_body())
                                }
                            }
                        }
                    }
                })
        })
        .listen(listener)?
        .shutdown_timeout(settings.shutdown_timeout_secs);
        if let Some(workers) = settings.http_workers {
            server = server.workers(workers.max(1));
        }
        let server = server.run();
        tracing::info!(
            port,
            embedded_worker = settings.worker.amqp_url.is_none(),
            "api listening"
        );
        Ok(Self {
            port,
            metrics_port,
            metrics_server,
            server,
            state: state_for_app,
            db,
            stop_background,
            background,
        })
    }

    /// The shared state (the demo loader and tests use it).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port of the internal metrics listener, when `metrics_listen` is set.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics_port
    }

    /// A handle that can stop the server (tests and benchmarks use it).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGTERM/SIGINT (or [`Application::handle`]`.stop()`), lets in-flight requests
    /// finish, then stops background work and closes the database.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let metrics = self.metrics_server.map(|server| {
            let handle = server.handle();
            (tokio::spawn(server), handle)
        });
        self.server.await?;
        if let Some((task, handle)) = metrics {
            handle.stop(true).await;
            let _ = task.await;
        }
        let _ = self.stop_background.send(true);
        for task in self.background {
            let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
        }
        self.db.close().await?;
        tracing::info!("api stopped");
        Ok(())
    }
}

/// Creates the first platform administrator from the settings when none exists.
async fn bootstrap_admin(settings: &Settings, state: &AppState) -> anyhow::Result<()> {
    let (Some(phone), Some(password)) = (
        settings.bootstrap_admin_phone.as_deref(),
        settings.bootstrap_admin_password.as_ref(),
    ) else {
        return Ok(());
    };
    if accounts::platform_admin_exists(state.db.conn()).await? {
        return Ok(());
    }
    let phone = Phone::parse(phone).map_err(|e| anyhow::anyhow!("bootstrap_admin_phone: {e}"))?;
    let password = Password::parse(password.expose(), Some(phone.as_str()))
        .map_err(|rule| anyhow::anyhow!("bootstrap_admin_password {rule}"))?;
    let password_hash = state
        .passwords
        .hash(password)
        .await
        .map_err(|e| anyhow::anyhow!("hashing the bootstrap password: {e}"))?;
    match accounts::create(
        state.db.writer(),
        NewAccount {
            phone,
            password_hash,
            role: Role::PlatformAdmin,
            site_id: None,
            resident_id: None,
        },
    )
    .await
    {
        Ok(account) => {
            tracing::info!(account = %account.id, "created the bootstrap platform administrator")
        }
        // Another replica made it at the same moment.
        Err(entity::DomainError::Conflict { .. }) => {}
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

/// Every route of the API.
pub fn configure_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .configure(routes::auth::configure)
            .configure(routes::accounts::configure)
            .configure(routes::sites::configure)
            // Fixed paths such as /residents/export before the /residents/{id} they look like.
            .configure(routes::exports::configure)
            .configure(routes::sheets::configure)
            .configure(routes::structure::configure)
            .configure(routes::residents::configure)
            .configure(routes::import::configure)
            .configure(routes::notifications::configure)
            .configure(routes::wechat::configure)
            .configure(routes::devices::configure)
            .configure(routes::employers::configure)
            .configure(routes::jobs::configure)
            .configure(routes::job_subscriptions::configure)
            .configure(routes::activities::configure)
            .configure(routes::points::configure)
            .configure(routes::claims::configure)
            .configure(routes::partners::configure)
            .configure(routes::store::configure)
            .configure(routes::applications::configure)
            .configure(routes::reports::configure),
    )
    .configure(crate::console::configure)
    .configure(routes::health::configure)
    .route(
        "/docs",
        web::get().to(|| async {
            HttpResponse::PermanentRedirect()
                .insert_header((header::LOCATION, "/docs/"))
                .finish()
        }),
    )
    .service(SwaggerUi::new("/docs/{_:.*}").url("/api-docs/openapi.json", ApiDoc::openapi()));
}
