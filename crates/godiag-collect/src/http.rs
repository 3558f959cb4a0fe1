//! The HTTP(S) client of `collect` (and of `watch`): `GET` with a timeout,
//! over TLS when the address says `https://`, with the headers and basic
//! auth a service's `/debug/pprof` sits behind, and proxies from the
//! environment (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`).

use std::time::Duration;

use anyhow::{bail, Context, Result};
use base64::Engine as _;

/// Largest response read (a debug=2 dump of a huge service is big, but
/// not this big).
pub const MAX_BODY: u64 = 2 << 30;

/// How to reach a service.
#[derive(Clone, Debug, Default)]
pub struct HttpOptions {
    /// Sent with every request (`Authorization: Bearer …`).
    pub headers: Vec<(String, String)>,
    /// `user:password` for basic auth.
    pub basic_auth: Option<(String, String)>,
    /// Accept any TLS certificate (self-signed ones of internal services).
    pub insecure: bool,
}

impl HttpOptions {
    /// `Name: value` as given on the command line.
    pub fn parse_header(h: &str) -> Result<(String, String)> {
        let Some((k, v)) = h.split_once(':') else {
            bail!("a header is `Name: value`, not {h:?}");
        };
        let k = k.trim();
        if k.is_empty() || !k.bytes().all(|b| b.is_ascii_graphic()) {
            bail!("bad header name in {h:?}");
        }
        Ok((k.to_string(), v.trim().to_string()))
    }

    /// `user:password`.
    pub fn parse_basic_auth(s: &str) -> Result<(String, String)> {
        match s.split_once(':') {
            Some((u, p)) => Ok((u.to_string(), p.to_string())),
            None => bail!("basic auth is `user:password`"),
        }
    }
}

/// A response: status code and body.
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
}

/// An HTTP(S) client for one service.
pub struct Client {
    agent: ureq::Agent,
    headers: Vec<(String, String)>,
    insecure: bool,
}

impl Client {
    pub fn new(opts: &HttpOptions) -> Self {
        let tls = ureq::tls::TlsConfig::builder()
            .disable_verification(opts.insecure)
            .build();
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .tls_config(tls)
            .proxy(ureq::Proxy::try_from_env())
            .user_agent(format!("godiag/{}", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        let mut headers = opts.headers.clone();
        if let Some((u, p)) = &opts.basic_auth {
            let token = base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"));
            headers.push(("Authorization".into(), format!("Basic {token}")));
        }
        Client {
            agent,
            headers,
            insecure: opts.insecure,
        }
    }

    /// `POST url` with a JSON body (alerts, webhooks): the status code.
    pub fn post_json(&self, url: &str, body: &[u8], timeout: Duration) -> Result<u16> {
        Ok(self.post_json_body(url, body, timeout)?.0)
    }

    /// `POST url` with a JSON body: the status code and the answer's body
    /// (up to [`MAX_BODY`]).
    pub fn post_json_body(
        &self,
        url: &str,
        body: &[u8],
        timeout: Duration,
    ) -> Result<(u16, Vec<u8>)> {
        self.post(url, "application/json", &[], body, timeout)
    }

    /// `POST url` with a body of `content_type` and `headers` besides the
    /// client's own: the status code and the answer's body (up to
    /// [`MAX_BODY`]).
    pub fn post(
        &self,
        url: &str,
        content_type: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        timeout: Duration,
    ) -> Result<(u16, Vec<u8>)> {
        self.post_body(url, content_type, headers, body, None, timeout)
    }

    /// [`Client::post`] of `len` bytes read from `body` as they are sent
    /// (a packed bundle from its file).
    pub fn post_reader(
        &self,
        url: &str,
        content_type: &str,
        headers: &[(&str, &str)],
        body: &mut dyn std::io::Read,
        len: u64,
        timeout: Duration,
    ) -> Result<(u16, Vec<u8>)> {
        self.post_body(
            url,
            content_type,
            headers,
            ureq::SendBody::from_reader(body),
            Some(len),
            timeout,
        )
    }

    fn post_body(
        &self,
        url: &str,
        content_type: &str,
        headers: &[(&str, &str)],
        body: impl ureq::AsSendBody,
        len: Option<u64>,
        timeout: Duration,
    ) -> Result<(u16, Vec<u8>)> {
        let mut req = self.agent.post(url);
        for (k, v) in &self.headers {
            req = req.header(k, v);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        // A reader's length is not known to ureq, which would send it
        // chunked; the length lets a server refuse a body too large (413)
        // before it arrives.
        if let Some(n) = len {
            req = req.header("Content-Length", n.to_string());
        }
        let mut resp = req
            .header("Content-Type", content_type)
            .config()
            .timeout_global(Some(timeout))
            .build()
            .send(body)
            .map_err(|e| request_error(e, format!("POST {url}"), self.insecure))?;
        let status = resp.status().as_u16();
        let answer = resp
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec()
            .unwrap_or_default();
        Ok((status, answer))
    }

    /// `GET url`, all of it within `timeout`; the body up to [`MAX_BODY`].
    pub fn get(&self, url: &str, timeout: Duration) -> Result<Response> {
        let mut req = self.agent.get(url);
        for (k, v) in &self.headers {
            req = req.header(k, v);
        }
        let mut resp = req
            .config()
            .timeout_global(Some(timeout))
            .build()
            .call()
            .map_err(|e| request_error(e, format!("GET {url}"), self.insecure))?;
        let status = resp.status().as_u16();
        let body = resp
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec()
            .with_context(|| format!("reading the answer to GET {url}"))?;
        Ok(Response { status, body })
    }
}

/// A request's failure, said for people: a refused certificate says what
/// to do about it, the TLS library's own words kept after.
fn request_error(e: ureq::Error, request: String, insecure: bool) -> anyhow::Error {
    let detail = format!("{e:?}");
    let certificate = matches!(e, ureq::Error::Tls(_) | ureq::Error::Rustls(_))
        || [
            "Certificate",
            "certificate",
            "UnknownIssuer",
            "CaUsedAsEndEntity",
        ]
        .iter()
        .any(|w| detail.contains(w));
    if certificate && !insecure {
        anyhow::Error::new(e).context(format!(
            "{request}: the service's TLS certificate was not accepted (self-signed, or signed by an authority this machine does not trust); for an internal service's own certificate give --insecure"
        ))
    } else {
        anyhow::Error::new(e).context(request)
    }
}
