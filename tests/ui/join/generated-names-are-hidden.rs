use bounded_async::join_bounded;

async fn run() {
    let _ = join_bounded!(limit = 2; async { __bounded_limit });
    // The list form's own names: its closure's locals, its enum and the runtime items it imports.
    let _ = join_bounded!(limit = 2; async { args }, async { slots }, async { cx });
    let _ = join_bounded!(limit = 2; async { Item::V0 }, async { Slot::new });
    let _ = join_bounded!(limit = 2; for x in 0..2 => async move { (x, items, output) });
}

fn main() {}
