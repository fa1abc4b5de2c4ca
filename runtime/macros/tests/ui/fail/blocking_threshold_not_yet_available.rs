// Parsed and checked, but this version of conductor has no blocking detection yet.

#[conductor::main(blocking_threshold_ms = 50)]
async fn main() {}
