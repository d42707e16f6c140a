use bounded_async::bounded;

#[bounded(limit = 4)]
async fn walk(depth: u32) -> u32 {
    if depth == 0 { 0 } else { Box::pin(walk(depth - 1)).await + 1 }
}

struct Tree;

impl Tree {
    #[bounded(limit = 4)]
    async fn visit(&self, depth: u32) {
        if depth > 0 {
            Box::pin(self.visit(depth - 1)).await;
        }
    }
}

fn main() {}
