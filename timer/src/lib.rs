//! The hierarchical timer wheel of conductor; it lands with the timer issue.
