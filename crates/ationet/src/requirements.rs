//! ATN requirement catalogue.
