//! lienthong-routing (being built).
