//! The ceiling of the HTTP stack: a bare hyper 1 HTTP/1.1 server on tokio's multi-thread
//! runtime (the runtime and hyper version payrig's axum server runs on) that reads each request
//! body and answers every request with the same static TECS approval JSON that WireMock serves
//! in the load bench. No routing, no JSON, no state.
//!
//! Usage: `load-hello [ADDR]` (default `127.0.0.1:18083`). Runs until killed.

use std::convert::Infallible;
use std::net::SocketAddr;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{header, Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// The TECS sale approval of `fixtures/tecs/sale.response.json`, byte for byte.
const APPROVAL: &[u8] = include_bytes!("../../../../fixtures/tecs/sale.response.json");

async fn hello(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    // Read the body as a real server must (payrig and WireMock both do).
    let _ = req.into_body().collect().await;
    let mut resp = Response::new(Full::new(Bytes::from_static(APPROVAL)));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    Ok(resp)
}

/// Binds `ADDR` and serves until killed.
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr: SocketAddr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18083".to_owned())
        .parse()?;
    let listener = TcpListener::bind(addr).await?;
    println!("load-hello listening on http://{}", listener.local_addr()?);
    loop {
        let (stream, _) = listener.accept().await?;
        tokio::spawn(async move {
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service_fn(hello))
                .await;
        });
    }
}
