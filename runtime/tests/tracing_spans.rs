//! The `tracing` feature: a `spawn` event and a `poll` span per task (with its id and spawn
//! location), and a `blocking` event per blocking report. Run with
//! `cargo test -p conductor --features tracing --test tracing_spans`.

use std::fmt::Debug;
use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// One recorded span or event: its name or message, target and fields.
#[derive(Clone, Debug, Default)]
struct Recorded {
    kind: &'static str,
    name: String,
    target: String,
    fields: Vec<(String, String)>,
}

impl Recorded {
    fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

struct Fields<'a>(&'a mut Vec<(String, String)>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0.push((field.name().to_owned(), format!("{value:?}")));
    }
}

#[derive(Default)]
struct Log {
    next_id: AtomicU64,
    log: Mutex<Vec<Recorded>>,
}

#[derive(Clone, Default)]
struct Recorder(Arc<Log>);

impl std::ops::Deref for Recorder {
    type Target = Log;
    fn deref(&self) -> &Log {
        &self.0
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut rec = Recorded {
            kind: "span",
            name: span.metadata().name().to_owned(),
            target: span.metadata().target().to_owned(),
            fields: Vec::new(),
        };
        span.record(&mut Fields(&mut rec.fields));
        self.log.lock().unwrap().push(rec);
        Id::from_u64(self.next_id.fetch_add(1, SeqCst) + 1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut rec = Recorded {
            kind: "event",
            target: event.metadata().target().to_owned(),
            ..Recorded::default()
        };
        event.record(&mut Fields(&mut rec.fields));
        rec.name = rec.field("message").unwrap_or_default().to_owned();
        self.log.lock().unwrap().push(rec);
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

#[test]
fn spawn_poll_and_blocking_are_traced() {
    let recorder = Recorder::default();
    tracing::subscriber::set_global_default(recorder.clone()).unwrap();

    let rt = conductor::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let line = line!() + 1;
    let handle = rt.spawn(async { conductor::task::yield_now().await });
    let id = handle.id().as_u64().to_string();
    rt.block_on(handle).unwrap();
    drop(rt);

    let log = recorder.log.lock().unwrap().clone();
    let location = format!("{}:{line}:", file!());
    let spawn = log
        .iter()
        .find(|r| r.kind == "event" && r.name == "spawn" && r.field("task_id") == Some(&id))
        .expect("a spawn event");
    assert_eq!(spawn.target, "conductor::task");
    assert!(
        spawn
            .field("spawn_location")
            .unwrap()
            .starts_with(&location)
    );
    let polls = log
        .iter()
        .filter(|r| r.kind == "span" && r.name == "poll" && r.field("task_id") == Some(&id))
        .count();
    assert_eq!(polls, 2, "one span per poll (the task yields once)");

    let rt = conductor::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .blocking_threshold(Duration::from_millis(50))
        .build()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    rt.spawn(async move {
        std::thread::sleep(Duration::from_millis(200));
        tx.send(()).unwrap();
    });
    rx.recv_timeout(Duration::from_secs(10)).unwrap();
    drop(rt);
    let log = recorder.log.lock().unwrap().clone();
    let blocking: Vec<_> = log
        .iter()
        .filter(|r| r.kind == "event" && r.target == "conductor::blocking")
        .collect();
    assert_eq!(blocking.len(), 2, "{blocking:?}");
    assert_eq!(blocking[0].name, "a task is blocking its worker");
    assert_eq!(blocking[1].field("finished"), Some("true"));
}
