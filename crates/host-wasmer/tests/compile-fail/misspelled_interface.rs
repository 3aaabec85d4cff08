// The embedder implements an interface under a name the world does not have.
host_wasmer::bindgen!({
    inline: "package demo:math;
             interface api { add: func(a: u32, b: u32) -> u32; }
             world calc { import api; }",
    world: "calc",
});

struct Data;

impl demo::math::apy::Host for Data {}

fn main() {}
