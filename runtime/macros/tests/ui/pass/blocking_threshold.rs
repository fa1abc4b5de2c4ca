// `blocking_threshold_ms` configures the runtime's blocking detector.

#[conductor::main(worker_threads = 2, blocking_threshold_ms = 50)]
async fn main() {}
