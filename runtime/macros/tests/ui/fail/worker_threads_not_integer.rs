#[conductor::main(worker_threads = "4")]
async fn start() {}

#[conductor::main(worker_threads = 2.5)]
async fn main() {}
