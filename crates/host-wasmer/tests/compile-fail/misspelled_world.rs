// The embedder names a world the package does not have.
host_wasmer::bindgen!({
    inline: "package demo:math;
             interface api { add: func(a: u32, b: u32) -> u32; }
             world calc { import api; }",
    world: "calk",
});

fn main() {}
