#[conductor::test(worker_threads = 2)]
async fn current_thread_by_default() {}

#[conductor::main(flavor = "current_thread", worker_threads = 2)]
async fn main() {}
