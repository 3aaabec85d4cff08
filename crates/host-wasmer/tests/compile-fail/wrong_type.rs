// The embedder takes a parameter as another type than the WIT says.
host_wasmer::bindgen!({
    inline: "package demo:math;
             interface api { add: func(a: u32, b: u32) -> u32; }
             world calc { import api; }",
    world: "calc",
});

struct Data;

impl demo::math::api::Host for Data {
    fn add(_: &mut host_wasmer::Ctx<'_, Self>, a: String, b: u32) -> Result<u32, host_wasmer::HostError> {
        Ok(a.len() as u32 + b)
    }
}

fn main() {}
