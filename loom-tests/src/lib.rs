//! Loom models of conductor's concurrent protocols (see issue 3).
