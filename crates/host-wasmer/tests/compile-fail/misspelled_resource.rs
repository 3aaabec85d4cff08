// The embedder maps a resource the world does not have.
host_wasmer::bindgen!({
    inline: "package demo:store;
             interface api { resource bucket { constructor(); } }
             world w { import api; }",
    world: "w",
    with: { "buckett": Bucket },
});

struct Bucket;

fn main() {}
