//! A local BeProduct.
