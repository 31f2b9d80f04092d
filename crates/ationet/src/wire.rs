//! Wire types and codecs.
