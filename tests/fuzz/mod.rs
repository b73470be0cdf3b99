//! Mutation testing of every reader of outside bytes: the allocator that measures, the
//! mutations, the inputs and readers, the rules, and the kept failures.

pub mod alloc;
pub mod check;
pub mod mutate;
pub mod regress;
pub mod rng;
pub mod targets;
