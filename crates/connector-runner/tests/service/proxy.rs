//! A TCP proxy on 127.0.0.1 that can make its open connections half-open: bytes stop flowing
//! both ways but neither socket is closed, as when a NAT or load balancer forgets a connection.
//! New connections are forwarded normally.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

/// See the module docs.
pub(crate) struct Proxy {
    address: SocketAddr,
    /// Cancelled to freeze the connections open now; replaced by a fresh one for later ones.
    freeze: Arc<Mutex<CancellationToken>>,
    stop: CancellationToken,
}

impl Proxy {
    /// Forwards 127.0.0.1:<new port> to `upstream`.
    pub(crate) async fn start(upstream: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let freeze = Arc::new(Mutex::new(CancellationToken::new()));
        let stop = CancellationToken::new();
        let (frozen, stopped) = (freeze.clone(), stop.clone());
        tokio::spawn(async move {
            loop {
                let client = tokio::select! {
                    () = stopped.cancelled() => return,
                    r = listener.accept() => match r {
                        Ok((c, _)) => c,
                        Err(_) => continue,
                    },
                };
                let freeze = frozen.lock().unwrap().clone();
                tokio::spawn(forward(client, upstream, freeze, stopped.clone()));
            }
        });
        Ok(Self {
            address,
            freeze,
            stop,
        })
    }

    /// `127.0.0.1:<port>`.
    pub(crate) fn address(&self) -> SocketAddr {
        self.address
    }

    /// Freezes every connection open now.
    pub(crate) fn freeze_open_connections(&self) {
        let mut freeze = self.freeze.lock().unwrap();
        freeze.cancel();
        *freeze = CancellationToken::new();
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

async fn forward(
    mut client: TcpStream,
    upstream: SocketAddr,
    freeze: CancellationToken,
    stop: CancellationToken,
) {
    let Ok(mut server) = TcpStream::connect(upstream).await else {
        return;
    };
    tokio::select! {
        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => return,
        () = freeze.cancelled() => {}
        () = stop.cancelled() => return,
    }
    // Half-open: both sockets stay open and silent until the proxy stops.
    stop.cancelled().await;
    drop((client, server));
}
