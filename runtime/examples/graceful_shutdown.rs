//! Graceful shutdown: a TCP echo server that, on ctrl-c (SIGINT) or SIGTERM, stops accepting,
//! gives the connections still open a grace period to finish, aborts the rest, and exits.
//!
//! ```sh
//! cargo run --example graceful_shutdown                      # 127.0.0.1:7879, 5 s grace
//! cargo run --example graceful_shutdown -- 127.0.0.1:0 2     # any port, 2 s grace
//! # in another terminal: `nc 127.0.0.1 7879`, then press ctrl-c in the server's terminal:
//! # the server stops accepting; the open nc session keeps working until the grace period ends.
//! ```

use std::time::Duration;

use conductor::io::{AsyncReadExt, AsyncWriteExt};
use conductor::net::{TcpListener, TcpStream};
use conductor::signal::{self, SignalKind};
use conductor::task::JoinSet;
use futures::FutureExt;

async fn echo(mut stream: TcpStream) -> std::io::Result<()> {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(()); // the client closed
        }
        stream.write_all(&buf[..n]).await?;
    }
}

#[conductor::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:7879".to_owned());
    let grace = Duration::from_secs(
        args.next()
            .map_or(5, |s| s.parse().expect("grace: seconds")),
    );

    // Listen for the signals before accepting anything, so none is missed.
    let mut sigint = signal::signal(SignalKind::interrupt())?;
    let mut sigterm = signal::signal(SignalKind::terminate())?;

    let listener = TcpListener::bind(addr.as_str()).await?;
    println!("listening on {}", listener.local_addr()?);

    let mut connections = JoinSet::new();
    loop {
        futures::select! {
            accepted = listener.accept().fuse() => {
                let (stream, peer) = accepted?;
                // Reap connections that have ended, so the set stays small.
                while connections.try_join_next().is_some() {}
                connections.spawn(async move {
                    if let Err(e) = echo(stream).await {
                        eprintln!("{peer}: {e}");
                    }
                });
            }
            _ = sigint.recv().fuse() => { println!("SIGINT: shutting down"); break; }
            _ = sigterm.recv().fuse() => { println!("SIGTERM: shutting down"); break; }
        }
    }

    // 1. Stop accepting: new connections are refused from here on.
    drop(listener);
    // 2. Let the open connections finish, for at most `grace`.
    let open = connections.len();
    println!("waiting up to {grace:?} for {open} open connection(s)");
    let drained = conductor::time::timeout(grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    // 3. Abort whatever is still running, and wait for the aborts to land.
    if drained.is_err() {
        println!(
            "grace period over: aborting {} connection(s)",
            connections.len()
        );
        connections.shutdown().await;
    }
    println!("bye");
    Ok(())
}
