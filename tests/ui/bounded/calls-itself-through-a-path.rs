use bounded_async::bounded;

#[bounded(limit = 1)]
async fn walk(depth: u32) -> u32 {
    if depth == 0 { 0 } else { Box::pin(crate::walk(depth - 1)).await + 1 }
}

#[bounded(limit = 1)]
async fn crawl(depth: u32) -> u32 {
    if depth == 0 { 0 } else { Box::pin(self::crawl(depth - 1)).await + 1 }
}

mod nested {
    use bounded_async::bounded;

    #[bounded(limit = 1)]
    pub async fn visit(depth: u32) -> u32 {
        if depth == 0 { 0 } else { Box::pin(super::nested::visit(depth - 1)).await + 1 }
    }

    // Another module's function of the same name is not this one.
    #[bounded(limit = 1)]
    pub async fn walk(depth: u32) -> u32 {
        Box::pin(crate::walk(depth)).await
    }
}

fn main() {}
