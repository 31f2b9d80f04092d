//! payrig-pump: payrig fuelling-point simulator (IFSF-like), pure and seeded.
