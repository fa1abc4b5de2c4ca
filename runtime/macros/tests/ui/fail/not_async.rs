#[conductor::main]
fn main() {}
