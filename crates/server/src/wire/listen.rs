//! Accepting connections as [`Wire`]s, and handing each request its connection's `Peer`.

use std::net::SocketAddr;

use axum::extract::connect_info::Connected;
use axum::extract::{ConnectInfo, Request};
use axum::serve::{IncomingStream, Listener};
use tokio::net::TcpListener;

use super::Wire;

/// The server's listener: every accepted socket becomes a [`Wire`], with TCP_NODELAY set
/// (frames go out as soon as they are written: Nagle's algorithm would hold a small frame
/// back while an earlier one is unacknowledged).
pub struct WireListener(pub TcpListener);

impl Listener for WireListener {
    type Io = Wire;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Wire, SocketAddr) {
        let (stream, addr) = Listener::accept(&mut self.0).await;
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!("cannot set TCP_NODELAY on a connection: {error}");
        }
        (Wire::new(stream), addr)
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        Listener::local_addr(&self.0)
    }
}

/// Who sent a request, and the socket it came on (a WebSocket upgrade keeps writing to it).
#[derive(Clone)]
pub struct Peer {
    pub addr: SocketAddr,
    pub wire: Wire,
}

impl Connected<IncomingStream<'_, WireListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, WireListener>) -> Self {
        Self { addr: *stream.remote_addr(), wire: stream.io().clone() }
    }
}

/// Middleware: the peer's address as a plain `ConnectInfo<SocketAddr>` for handlers that
/// only want the address.
pub async fn expose_peer_addr(mut request: Request) -> Request {
    let addr = request.extensions().get::<ConnectInfo<Peer>>().map(|peer| peer.0.addr);
    if let Some(addr) = addr {
        request.extensions_mut().insert(ConnectInfo(addr));
    }
    request
}
