//! A TCP echo server: every connection gets back what it sends.
//!
//! ```sh
//! cargo run --release --example echo_server            # listens on 127.0.0.1:7878
//! cargo run --release --example echo_server -- 0.0.0.0:9000
//! # in another terminal:
//! nc 127.0.0.1 7878      # type lines; each comes back
//! ```

use conductor::io::{AsyncReadExt, AsyncWriteExt};
use conductor::net::TcpListener;
use conductor::runtime::Runtime;

fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7878".to_owned());
    let rt = Runtime::new()?;
    rt.block_on(async move {
        let listener = TcpListener::bind(addr.as_str()).await?;
        println!("echo server listening on {}", listener.local_addr()?);
        loop {
            let (mut stream, peer) = listener.accept().await?;
            conductor::spawn(async move {
                let mut buf = vec![0u8; 16 * 1024];
                loop {
                    match stream.read(&mut buf).await {
                        Ok(0) => break, // the client closed
                        Ok(n) => {
                            if let Err(e) = stream.write_all(&buf[..n]).await {
                                eprintln!("{peer}: write failed: {e}");
                                break;
                            }
                        }
                        Err(e) => {
                            eprintln!("{peer}: read failed: {e}");
                            break;
                        }
                    }
                }
            });
        }
    })
}
