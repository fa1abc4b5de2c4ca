//! `conductor::signal`: deliveries raised in this process reach listeners, coalesce, wake
//! every listener of the signal and no other, and a child process shuts down cleanly on a
//! real `kill(SIGINT)` from its parent.
//!
//! Tests in this binary run in parallel in one process, so each uses its own signal.

#[macro_use]
mod support;

use std::future::poll_fn;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::task::Poll;
use std::time::{Duration, Instant};

use conductor::signal::{self, SignalKind};
use support::{Flavor, run};

fn raise(signum: i32) {
    // SAFETY: raise(3) has no memory-safety preconditions; every test installs a handler
    // for the signal (by creating a listener) before raising it.
    assert_eq!(unsafe { libc::raise(signum) }, 0);
}

/// Polls `fut` once; whether it was still pending.
async fn pending_once<F: std::future::Future + Unpin>(fut: &mut F) -> bool {
    poll_fn(|cx| Poll::Ready(std::pin::Pin::new(&mut *fut).poll(cx).is_pending())).await
}

#[test]
fn ctrl_c_completes_on_sigint() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        run(flavor, || async {
            let mut ctrl_c = Box::pin(signal::ctrl_c());
            assert!(pending_once(&mut ctrl_c).await, "no SIGINT yet");
            raise(libc::SIGINT);
            ctrl_c.await.unwrap();
        });
    }
}

#[test]
fn deliveries_between_recvs_coalesce() {
    run(Flavor::MultiThread, || async {
        let mut usr1 = signal::signal(SignalKind::user_defined1()).unwrap();
        for _ in 0..3 {
            raise(libc::SIGUSR1);
        }
        assert_eq!(usr1.recv().await, Some(()));
        // The three deliveries were reported once; nothing more is pending.
        let mut next = Box::pin(usr1.recv());
        assert!(pending_once(&mut next).await);
        drop(next);
        // Dropping a recv loses nothing: a later delivery is still reported.
        raise(libc::SIGUSR1);
        assert_eq!(usr1.recv().await, Some(()));
    });
}

#[test]
fn every_listener_of_a_signal_is_woken() {
    run(Flavor::MultiThread, || async {
        let (ready_tx, mut ready_rx) = futures::channel::mpsc::unbounded();
        let mut tasks = Vec::new();
        for _ in 0..4 {
            let ready_tx = ready_tx.clone();
            tasks.push(conductor::spawn(async move {
                let mut usr2 = signal::signal(SignalKind::user_defined2()).unwrap();
                ready_tx.unbounded_send(()).unwrap();
                usr2.recv().await
            }));
        }
        for _ in 0..4 {
            futures::StreamExt::next(&mut ready_rx).await.unwrap();
        }
        raise(libc::SIGUSR2);
        for task in tasks {
            assert_eq!(task.await.unwrap(), Some(()));
        }
    });
}

#[test]
fn other_signals_do_not_complete_a_listener() {
    run(Flavor::CurrentThread, || async {
        let mut hup = signal::signal(SignalKind::hangup()).unwrap();
        let mut winch = signal::signal(SignalKind::from_raw(libc::SIGWINCH)).unwrap();
        raise(libc::SIGHUP);
        assert_eq!(hup.recv().await, Some(()));
        let mut w = Box::pin(winch.recv());
        assert!(
            pending_once(&mut w).await,
            "SIGHUP must not complete a SIGWINCH listener"
        );
        drop(w);
        raise(libc::SIGWINCH);
        assert_eq!(winch.recv().await, Some(()));
    });
}

#[test]
fn uncatchable_and_fault_signals_are_rejected() {
    run(Flavor::CurrentThread, || async {
        for signum in [
            libc::SIGKILL,
            libc::SIGSTOP,
            libc::SIGSEGV,
            libc::SIGFPE,
            0,
            -1,
            1000,
        ] {
            let err = signal::signal(SignalKind::from_raw(signum)).unwrap_err();
            assert_eq!(
                err.kind(),
                std::io::ErrorKind::InvalidInput,
                "signal {signum}"
            );
        }
    });
}

/// Set in the child process that `ctrl_c_in_a_child_process` starts.
const CHILD_ENV: &str = "CONDUCTOR_SIGNAL_TEST_CHILD";

/// In the parent: re-runs this test binary, filtered to this test, as a child with
/// [`CHILD_ENV`] set; waits for it to listen, sends it SIGINT with `kill`, and checks that it
/// reported the signal and exited with success. In the child: listens for ctrl-c, says
/// "CHILD-READY", waits (bounded), says "got SIGINT".
#[test]
fn ctrl_c_in_a_child_process() {
    if std::env::var_os(CHILD_ENV).is_some() {
        let rt = support::multi_thread(2);
        rt.block_on(async {
            let mut sigint = signal::signal(SignalKind::interrupt()).unwrap();
            // On a line of its own: libtest prints "test <name> ... " before the body runs.
            println!("\nCHILD-READY");
            let got = conductor::time::timeout(Duration::from_secs(20), sigint.recv()).await;
            assert_eq!(got, Ok(Some(())), "the child got no SIGINT");
            println!("got SIGINT");
        });
        return;
    }

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "ctrl_c_in_a_child_process",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut output = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let ready = line == "CHILD-READY";
        output.push(line);
        if ready {
            break;
        }
    }
    assert_eq!(
        output.last().map(String::as_str),
        Some("CHILD-READY"),
        "child output: {output:?}"
    );
    let pid = i32::try_from(child.id()).unwrap();
    // SAFETY: kill(2) has no memory-safety preconditions; `pid` is our live child.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    output.extend(lines.map(Result::unwrap));

    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("the child did not exit after SIGINT; output: {output:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    assert!(
        status.success(),
        "child failed: {status:?}; output: {output:?}"
    );
    assert!(
        output.iter().any(|l| l == "got SIGINT"),
        "child output: {output:?}"
    );
}
