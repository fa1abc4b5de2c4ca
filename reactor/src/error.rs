//! Every misuse message and shutdown error of the reactor, as constants.

/// Panic message: an I/O type was created or used outside a runtime.
pub const NO_REACTOR: &str = "there is no reactor running: conductor::net and conductor::io \
    types must be created inside a conductor runtime (in a task, inside Runtime::block_on, or \
    after Handle::enter); use #[conductor::main] or Runtime::block_on";

/// The message of the `io::Error` (kind `Other`) that every pending and later I/O operation
/// gets once the runtime is shut down.
pub const SHUTDOWN: &str = "the conductor runtime is shut down";

/// Too many sources are registered at once (more than the token space holds).
pub const TOO_MANY_SOURCES: &str = "the reactor cannot register more I/O sources at once";

/// The `io::Error` for an operation on a shut-down reactor.
pub(crate) fn shutdown_error() -> std::io::Error {
    std::io::Error::other(SHUTDOWN)
}
