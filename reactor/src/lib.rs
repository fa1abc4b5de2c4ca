//! The mio reactor of conductor; its driver and net types land with the reactor issue.
