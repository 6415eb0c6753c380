//! lienthong-store (being built).
