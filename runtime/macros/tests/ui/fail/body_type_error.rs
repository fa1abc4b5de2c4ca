// An error in the body shows where it is, both when the attribute is valid and when it is not.

#[conductor::main(flavor = "current_thread")]
async fn start() {
    let n: u32 = "three";
    drop(n);
}

#[conductor::main(worker_threads = 0)]
async fn main() -> Result<(), std::io::Error> {
    start();
    Ok("not a unit")
}
