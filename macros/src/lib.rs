//! `#[problems(...)]`: the error responses of an endpoint, one `status "description"` each, added
//! to the `responses(...)` of the `#[utoipa::path]` below it as `application/problem+json` bodies
//! of the API's one error type, so that no endpoint documents an error any other way.
//!
//! ```ignore
//! /// Edits an activity (staff of its site, before it ends).
//! #[problems(
//!     403 "Not staff",
//!     404 "No such activity in the caller's reach",
//! )]
//! #[utoipa::path(patch, path = "/api/v1/activities/{id}", responses((status = 200, body = Activity)))]
//! pub async fn edit_activity(/* ... */) { /* ... */ }
//! ```
//!
//! It must stand above `#[utoipa::path]` (attributes expand from the outside in) and `Problem`
//! must be in scope where it is used. Written on `proc_macro` alone: no parser crate to build.

use proc_macro::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

/// Adds `(status = N, description = "...", body = Problem, content_type =
/// "application/problem+json")` for each `N "..."` to the `#[utoipa::path]` attribute below.
#[proc_macro_attribute]
pub fn problems(attr: TokenStream, item: TokenStream) -> TokenStream {
    let result = parse_problems(attr).and_then(|problems| add_to_path(item, &problems));
    match result {
        Ok(item) => item,
        Err((span, message)) => compile_error(span, &message),
    }
}

type Error = (Span, String);

/// `403 "Not staff", 404 "..."` into (status, description) pairs.
fn parse_problems(attr: TokenStream) -> Result<Vec<(Literal, Literal)>, Error> {
    let mut problems = Vec::new();
    let mut tokens = attr.into_iter().peekable();
    while let Some(token) = tokens.next() {
        let status = match token {
            TokenTree::Literal(status)
                if status.to_string().bytes().all(|b| b.is_ascii_digit()) =>
            {
                status
            }
            other => return Err((other.span(), "expected an HTTP status such as 404".into())),
        };
        let description = match tokens.next() {
            Some(TokenTree::Literal(text)) if text.to_string().starts_with('"') => text,
            other => {
                let span = other.map_or(status.span(), |t| t.span());
                return Err((
                    span,
                    "expected the response's description as a string".into(),
                ));
            }
        };
        if problems
            .iter()
            .any(|(s, _): &(Literal, Literal)| s.to_string() == status.to_string())
        {
            return Err((status.span(), "this status is listed twice".into()));
        }
        problems.push((status, description));
        match tokens.next() {
            None => break,
            Some(TokenTree::Punct(p)) if p.as_char() == ',' => {}
            Some(other) => return Err((other.span(), "expected `,` between responses".into())),
        }
    }
    if problems.is_empty() {
        return Err((
            Span::call_site(),
            "list at least one `status \"description\"`".into(),
        ));
    }
    Ok(problems)
}

/// The item with the problems appended inside `#[utoipa::path(... responses(...) ...)]`.
fn add_to_path(item: TokenStream, problems: &[(Literal, Literal)]) -> Result<TokenStream, Error> {
    let mut out: Vec<TokenTree> = Vec::new();
    let mut found = false;
    for token in item {
        match token {
            TokenTree::Group(group)
                if !found
                    && group.delimiter() == Delimiter::Bracket
                    && matches!(out.last(), Some(TokenTree::Punct(p)) if p.as_char() == '#')
                    && is_utoipa_path(&group) =>
            {
                found = true;
                out.push(TokenTree::Group(rewrite_attribute(&group, problems)?));
            }
            other => out.push(other),
        }
    }
    if !found {
        return Err((
            Span::call_site(),
            "put #[problems] above a #[utoipa::path(...)]".into(),
        ));
    }
    Ok(out.into_iter().collect())
}

/// `[utoipa::path(...)]`, the inside of the attribute's brackets.
fn is_utoipa_path(group: &Group) -> bool {
    let words: Vec<String> = group
        .stream()
        .into_iter()
        .take(4)
        .map(|t| t.to_string())
        .collect();
    words.len() == 4
        && words[0] == "utoipa"
        && words[1] == ":"
        && words[2] == ":"
        && words[3] == "path"
}

/// The attribute with `responses(...)` extended; an error when it has none.
fn rewrite_attribute(attr: &Group, problems: &[(Literal, Literal)]) -> Result<Group, Error> {
    let mut inside = Vec::new();
    for token in attr.stream() {
        match token {
            TokenTree::Group(args) if args.delimiter() == Delimiter::Parenthesis => {
                inside.push(TokenTree::Group(rewrite_args(&args, problems)?));
            }
            other => inside.push(other),
        }
    }
    Ok(respan(
        Group::new(Delimiter::Bracket, inside.into_iter().collect()),
        attr.span(),
    ))
}

/// The path's arguments with the problems appended to the group after `responses`.
fn rewrite_args(args: &Group, problems: &[(Literal, Literal)]) -> Result<Group, Error> {
    let mut out: Vec<TokenTree> = Vec::new();
    let mut found = false;
    for token in args.stream() {
        match token {
            TokenTree::Group(list)
                if list.delimiter() == Delimiter::Parenthesis
                    && matches!(out.last(), Some(TokenTree::Ident(i)) if i.to_string() == "responses") =>
            {
                found = true;
                let mut responses: Vec<TokenTree> = list.stream().into_iter().collect();
                if responses
                    .last()
                    .is_some_and(|t| !matches!(t, TokenTree::Punct(p) if p.as_char() == ','))
                {
                    responses.push(punct(','));
                }
                for (status, description) in problems {
                    responses.push(TokenTree::Group(problem_response(status, description)));
                    responses.push(punct(','));
                }
                let group = Group::new(Delimiter::Parenthesis, responses.into_iter().collect());
                out.push(TokenTree::Group(respan(group, list.span())));
            }
            other => out.push(other),
        }
    }
    if !found {
        return Err((
            args.span(),
            "#[utoipa::path] needs a `responses(...)` for #[problems]".into(),
        ));
    }
    Ok(respan(
        Group::new(Delimiter::Parenthesis, out.into_iter().collect()),
        args.span(),
    ))
}

/// `(status = N, description = "...", body = Problem, content_type = "application/problem+json")`.
fn problem_response(status: &Literal, description: &Literal) -> Group {
    let mut tokens: Vec<TokenTree> = Vec::new();
    let mut field = |name: &str, value: TokenTree, last: bool| {
        tokens.push(TokenTree::Ident(Ident::new(name, Span::call_site())));
        tokens.push(punct('='));
        tokens.push(value);
        if !last {
            tokens.push(punct(','));
        }
    };
    field("status", TokenTree::Literal(status.clone()), false);
    field(
        "description",
        TokenTree::Literal(description.clone()),
        false,
    );
    field(
        "body",
        TokenTree::Ident(Ident::new("Problem", status.span())),
        false,
    );
    field(
        "content_type",
        TokenTree::Literal(Literal::string("application/problem+json")),
        true,
    );
    Group::new(Delimiter::Parenthesis, tokens.into_iter().collect())
}

fn punct(c: char) -> TokenTree {
    TokenTree::Punct(Punct::new(c, Spacing::Alone))
}

fn respan(mut group: Group, span: Span) -> Group {
    group.set_span(span);
    group
}

/// `compile_error!("...")` at the given place.
fn compile_error(span: Span, message: &str) -> TokenStream {
    let mut literal = Literal::string(message);
    literal.set_span(span);
    let tokens = [
        TokenTree::Ident(Ident::new("compile_error", span)),
        TokenTree::Punct(Punct::new('!', Spacing::Alone)),
        TokenTree::Group(Group::new(
            Delimiter::Parenthesis,
            TokenTree::Literal(literal).into(),
        )),
        TokenTree::Punct(Punct::new(';', Spacing::Alone)),
    ];
    tokens.into_iter().collect()
}
