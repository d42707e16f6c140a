//! `#[bounded]` on every shape of `async fn` the contract lists: each one compiles, returns what
//! its body returns, and is limited (a second call waits while the first holds the only
//! permit). Attributes, visibility and `Send`-ness are kept, and `crate = "..."` finds the
//! runtime through a re-export.
//!
//! Every function here has `limit = 1` and is used by one test only (each function has one
//! `static` semaphore, and tests run in parallel).

mod common;

use std::fmt::{Debug, Display};
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;

use bounded_async::bounded;
use common::{Gate, Gauge, poll_once, poll_to_completion};

/// What a body does to show it runs: it counts its entry, then waits at a gate the test opens.
#[derive(Clone)]
struct Probe {
    entered: Gauge,
    gate: Gate,
}

impl Probe {
    fn new() -> Self {
        Probe {
            entered: Gauge::new(),
            gate: Gate::new(),
        }
    }

    async fn hold(&self) {
        let _inside = self.entered.enter();
        self.gate.wait().await;
    }

    fn entered(&self) -> usize {
        self.entered.entered()
    }

    /// A probe whose gate is already open: the body passes straight through.
    fn new_open() -> Self {
        let probe = Probe::new();
        probe.gate.open();
        probe
    }
}

/// Runs two calls of one `limit = 1` function whose bodies hold at `probe`: the second must not
/// enter while the first is inside. Returns both outputs.
fn one_at_a_time<A: Future, B: Future>(
    probe: &Probe,
    first: A,
    second: B,
) -> (A::Output, B::Output) {
    let mut first = pin!(first);
    let mut second = pin!(second);
    assert!(poll_once(first.as_mut()).is_pending());
    assert_eq!(probe.entered(), 1, "the first call is inside its body");
    assert!(poll_once(second.as_mut()).is_pending());
    assert_eq!(
        probe.entered(),
        1,
        "the second call entered while the first held the only permit"
    );
    probe.gate.open();
    let first = poll_to_completion(first.as_mut(), 10);
    let second = poll_to_completion(second.as_mut(), 10);
    assert_eq!(probe.entered(), 2);
    assert_eq!(probe.entered.max(), 1);
    (first, second)
}

fn assert_send<T: Send>(_: &T) {}

/// Runs `future` as a tokio task (which needs it to be `Send + 'static`) and returns its output.
fn spawned<F>(future: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send,
{
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap()
        .block_on(async move { tokio::spawn(future).await })
        .expect("the task does not panic")
}

// ---------------------------------------------------------------------------------------------
// Free functions
// ---------------------------------------------------------------------------------------------

#[bounded(limit = 1)]
async fn free_function(probe: Probe, n: u32) -> u32 {
    probe.hold().await;
    n * 2
}

#[test]
fn a_free_function() {
    let probe = Probe::new();
    let outputs = one_at_a_time(
        &probe,
        free_function(probe.clone(), 1),
        free_function(probe.clone(), 2),
    );
    assert_eq!(outputs, (2, 4));
}

#[bounded(limit = 1)]
async fn spawned_free_function(n: u32) -> u32 {
    tokio::task::yield_now().await;
    n + 1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn annotated_calls_are_send_and_can_be_spawned() {
    let call = spawned_free_function(1);
    assert_send(&call);
    assert_eq!(tokio::spawn(call).await.unwrap(), 2);

    let calls: Vec<_> = (0..20)
        .map(|n| tokio::spawn(spawned_free_function(n)))
        .collect();
    for (n, call) in (0..).zip(calls) {
        assert_eq!(call.await.unwrap(), n + 1);
    }
}

// ---------------------------------------------------------------------------------------------
// Inherent methods, every receiver
// ---------------------------------------------------------------------------------------------

struct Counter {
    hits: u32,
    name: String,
}

impl Counter {
    fn new(name: &str) -> Self {
        Counter {
            hits: 0,
            name: name.to_owned(),
        }
    }

    #[bounded(limit = 1)]
    async fn by_ref(&self, probe: Probe) -> u32 {
        probe.hold().await;
        self.hits
    }

    #[bounded(limit = 1)]
    async fn by_mut(&mut self, probe: Probe) -> u32 {
        probe.hold().await;
        self.hits += 1;
        self.hits
    }

    #[bounded(limit = 1)]
    async fn by_value(self, probe: Probe) -> String {
        probe.hold().await;
        self.name
    }

    #[bounded(limit = 1)]
    async fn by_mut_value(mut self, probe: Probe) -> String {
        probe.hold().await;
        self.name.push('!');
        self.name
    }

    #[bounded(limit = 1)]
    async fn by_arc(self: Arc<Self>, probe: Probe) -> (String, usize) {
        probe.hold().await;
        (self.name.clone(), Arc::strong_count(&self))
    }
}

#[test]
fn a_method_taking_ref_self() {
    let probe = Probe::new();
    let a = Counter {
        hits: 3,
        ..Counter::new("a")
    };
    let outputs = one_at_a_time(&probe, a.by_ref(probe.clone()), a.by_ref(probe.clone()));
    assert_eq!(outputs, (3, 3));

    let call = async {
        let counter = Counter::new("r");
        counter.by_ref(Probe::new_open()).await
    };
    assert_send(&call);
    assert_eq!(spawned(call), 0);
}

#[test]
fn a_method_taking_mut_self() {
    let probe = Probe::new();
    let mut a = Counter::new("a");
    let mut b = Counter::new("b");
    let outputs = one_at_a_time(&probe, a.by_mut(probe.clone()), b.by_mut(probe.clone()));
    assert_eq!(outputs, (1, 1));
    assert_eq!((a.hits, b.hits), (1, 1), "the body mutated each instance");

    let call = async move {
        a.by_mut(Probe::new_open()).await;
        a.hits
    };
    assert_send(&call);
    assert_eq!(spawned(call), 2);
}

#[test]
fn a_method_taking_self_by_value() {
    let probe = Probe::new();
    let outputs = one_at_a_time(
        &probe,
        Counter::new("a").by_value(probe.clone()),
        Counter::new("b").by_value(probe.clone()),
    );
    assert_eq!(outputs, ("a".to_owned(), "b".to_owned()));

    let probe = Probe::new();
    let outputs = one_at_a_time(
        &probe,
        Counter::new("c").by_mut_value(probe.clone()),
        Counter::new("d").by_mut_value(probe.clone()),
    );
    assert_eq!(outputs, ("c!".to_owned(), "d!".to_owned()));

    let call = Counter::new("v").by_value(Probe::new_open());
    assert_send(&call);
    assert_eq!(spawned(call), "v");
    let call = Counter::new("w").by_mut_value(Probe::new_open());
    assert_send(&call);
    assert_eq!(spawned(call), "w!");
}

#[test]
fn a_method_taking_self_arc() {
    let probe = Probe::new();
    let shared = Arc::new(Counter::new("shared"));
    let outputs = one_at_a_time(
        &probe,
        Arc::clone(&shared).by_arc(probe.clone()),
        Arc::clone(&shared).by_arc(probe.clone()),
    );
    // Each call holds its own `Arc` while it runs; the first call's is dropped when it finishes.
    assert_eq!(
        outputs,
        (("shared".to_owned(), 3), ("shared".to_owned(), 2))
    );
    assert_eq!(Arc::strong_count(&shared), 1);

    let call = Arc::clone(&shared).by_arc(Probe::new_open());
    assert_send(&call);
    assert_eq!(spawned(call), ("shared".to_owned(), 2));
}

// ---------------------------------------------------------------------------------------------
// Traits
// ---------------------------------------------------------------------------------------------

trait Store {
    async fn load(&self, key: u32, probe: Probe) -> String;
}

struct MemoryStore {
    prefix: &'static str,
}

impl Store for MemoryStore {
    #[bounded(limit = 1)]
    async fn load(&self, key: u32, probe: Probe) -> String {
        probe.hold().await;
        format!("{}{key}", self.prefix)
    }
}

/// Calls through the trait, as generic code would.
async fn load_through_trait<S: Store>(store: &S, key: u32, probe: Probe) -> String {
    store.load(key, probe).await
}

#[test]
fn a_trait_impl_method() {
    let probe = Probe::new();
    let store = MemoryStore { prefix: "key-" };
    let outputs = one_at_a_time(
        &probe,
        store.load(1, probe.clone()),
        load_through_trait(&store, 2, probe.clone()),
    );
    assert_eq!(outputs, ("key-1".to_owned(), "key-2".to_owned()));
}

struct SpawnedStore;

impl Store for SpawnedStore {
    #[bounded(limit = 1)]
    async fn load(&self, key: u32, probe: Probe) -> String {
        probe.hold().await;
        key.to_string()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_trait_impl_method_on_a_concrete_type_can_be_spawned() {
    let call = async { SpawnedStore.load(5, Probe::new_open()).await };
    assert_send(&call);
    assert_eq!(tokio::spawn(call).await.unwrap(), "5");
}

trait Greeter {
    fn name(&self) -> &str;

    #[bounded(limit = 1)]
    async fn greet(&self, probe: Probe) -> String {
        probe.hold().await;
        format!("hello, {}", self.name())
    }
}

struct English;
struct French;

impl Greeter for English {
    fn name(&self) -> &str {
        "world"
    }
}

impl Greeter for French {
    fn name(&self) -> &str {
        "le monde"
    }

    // `greet` keeps the trait's annotated default body.
}

#[test]
fn a_trait_method_with_an_annotated_default_body() {
    let probe = Probe::new();
    let outputs = one_at_a_time(
        &probe,
        English.greet(probe.clone()),
        English.greet(probe.clone()),
    );
    assert_eq!(
        outputs,
        ("hello, world".to_owned(), "hello, world".to_owned())
    );

    // One function item, so one limit shared by every implementing type (as every instantiation
    // of a generic function shares one).
    let probe = Probe::new();
    let outputs = one_at_a_time(
        &probe,
        English.greet(probe.clone()),
        French.greet(probe.clone()),
    );
    assert_eq!(
        outputs,
        ("hello, world".to_owned(), "hello, le monde".to_owned())
    );
}

trait PerTypeGreeter {
    async fn salute(&self, probe: Probe) -> &'static str;
}

impl PerTypeGreeter for English {
    #[bounded(limit = 1)]
    async fn salute(&self, probe: Probe) -> &'static str {
        probe.hold().await;
        "hello"
    }
}

impl PerTypeGreeter for French {
    #[bounded(limit = 1)]
    async fn salute(&self, probe: Probe) -> &'static str {
        probe.hold().await;
        "bonjour"
    }
}

#[test]
fn the_attribute_on_each_impl_gives_each_type_its_own_limit() {
    let probe = Probe::new();
    let mut english = pin!(PerTypeGreeter::salute(&English, probe.clone()));
    let mut french = pin!(PerTypeGreeter::salute(&French, probe.clone()));
    assert!(poll_once(english.as_mut()).is_pending());
    assert!(poll_once(french.as_mut()).is_pending());
    assert_eq!(
        probe.entered(),
        2,
        "each type's call holds its own type's permit"
    );
    probe.gate.open();
    assert_eq!(poll_to_completion(english.as_mut(), 10), "hello");
    assert_eq!(poll_to_completion(french.as_mut(), 10), "bonjour");
}

/// A trait that promises a `Send` future; an annotated `async fn` in the impl must keep it.
trait SendStore {
    fn load(&self, key: u32, probe: Probe) -> impl Future<Output = u32> + Send;
}

struct SendMemoryStore;

impl SendStore for SendMemoryStore {
    #[bounded(limit = 1)]
    async fn load(&self, key: u32, probe: Probe) -> u32 {
        probe.hold().await;
        key + 100
    }
}

#[test]
fn a_trait_impl_method_for_a_trait_requiring_a_send_future() {
    let probe = Probe::new();
    let outputs = one_at_a_time(
        &probe,
        SendMemoryStore.load(1, probe.clone()),
        SendMemoryStore.load(2, probe.clone()),
    );
    assert_eq!(outputs, (101, 102));

    let call = async { SendMemoryStore.load(3, Probe::new_open()).await };
    assert_send(&call);
    assert_eq!(spawned(call), 103);
}

trait SendDefault: Sync {
    #[bounded(limit = 1)]
    async fn doubled(&self, n: u32, probe: Probe) -> u32 {
        probe.hold().await;
        n * 2
    }
}

impl SendDefault for SendMemoryStore {}

#[test]
fn an_annotated_default_body_on_a_concrete_type_is_send() {
    let call = async { SendMemoryStore.doubled(4, Probe::new_open()).await };
    assert_send(&call);
    assert_eq!(spawned(call), 8);
}

// ---------------------------------------------------------------------------------------------
// Generics, lifetimes, `impl Trait` and pattern arguments
// ---------------------------------------------------------------------------------------------

#[bounded(limit = 1)]
async fn with_where_clause<T, U>(t: T, u: U, probe: Probe) -> String
where
    T: Display + Send,
    U: Debug + Send,
{
    probe.hold().await;
    format!("{t} {u:?}")
}

#[test]
fn a_generic_function_with_a_where_clause() {
    let probe = Probe::new();
    let outputs = one_at_a_time(
        &probe,
        with_where_clause(1, "one", probe.clone()),
        with_where_clause('x', vec![2], probe.clone()),
    );
    assert_eq!(outputs, ("1 \"one\"".to_owned(), "x [2]".to_owned()));
}

#[bounded(limit = 1)]
async fn const_generic<const N: usize>(items: [u8; N], probe: Probe) -> usize {
    probe.hold().await;
    items.iter().map(|&item| usize::from(item)).sum::<usize>() + N
}

#[test]
fn a_function_with_a_const_generic() {
    let probe = Probe::new();
    let outputs = one_at_a_time(
        &probe,
        const_generic([1, 2], probe.clone()),
        const_generic([5; 3], probe.clone()),
    );
    assert_eq!(outputs, (5, 18));
}

#[bounded(limit = 1)]
async fn first_word<'a>(text: &'a str, probe: Probe) -> &'a str {
    probe.hold().await;
    text.split_whitespace().next().unwrap_or("")
}

#[bounded(limit = 1)]
async fn longest<'a, 'b: 'a>(a: &'a str, b: &'b str, probe: &Probe) -> &'a str {
    probe.hold().await;
    if b.len() > a.len() { b } else { a }
}

#[bounded(limit = 1)]
async fn elided(text: &str, probe: Probe) -> &str {
    probe.hold().await;
    text.trim()
}

#[test]
fn functions_with_lifetimes() {
    let owned = String::from("borrowed words");
    let probe = Probe::new();
    let outputs = one_at_a_time(
        &probe,
        first_word(&owned, probe.clone()),
        first_word("second call", probe.clone()),
    );
    assert_eq!(outputs, ("borrowed", "second"));

    let probe = Probe::new();
    let short = String::from("ab");
    let outputs = one_at_a_time(
        &probe,
        longest(&short, "abc", &probe),
        longest("abcd", &short, &probe),
    );
    assert_eq!(outputs, ("abc", "abcd"));

    let probe = Probe::new();
    let padded = String::from("  x  ");
    let outputs = one_at_a_time(
        &probe,
        elided(&padded, probe.clone()),
        elided(" y", probe.clone()),
    );
    assert_eq!(outputs, ("x", "y"));
}

#[bounded(limit = 1)]
async fn impl_trait_argument(text: impl AsRef<str>, probe: Probe) -> usize {
    probe.hold().await;
    text.as_ref().len()
}

#[test]
fn a_function_with_impl_trait_arguments() {
    let probe = Probe::new();
    let outputs = one_at_a_time(
        &probe,
        impl_trait_argument("four", probe.clone()),
        impl_trait_argument(String::from("three"), probe.clone()),
    );
    assert_eq!(outputs, (4, 5));
}

struct Wrapper(u8);

#[bounded(limit = 1)]
async fn pattern_arguments(
    (a, b): (u8, u8),
    mut x: u8,
    Wrapper(w): Wrapper,
    _: &'static str,
    probe: Probe,
) -> u8 {
    probe.hold().await;
    x += a;
    x * b + w
}

#[test]
fn a_function_with_pattern_arguments() {
    let probe = Probe::new();
    let outputs = one_at_a_time(
        &probe,
        pattern_arguments((1, 2), 3, Wrapper(4), "ignored", probe.clone()),
        pattern_arguments((0, 1), 5, Wrapper(0), "ignored", probe.clone()),
    );
    assert_eq!(outputs, ((1 + 3) * 2 + 4, 5));
}

// ---------------------------------------------------------------------------------------------
// Attributes and visibility stay as written
// ---------------------------------------------------------------------------------------------

/// `missing_docs` is denied here: this only compiles if the doc comments written after
/// `#[bounded]` (which the attribute receives and must re-emit) are kept.
#[deny(missing_docs)]
pub mod documented {
    use bounded_async::bounded;

    #[bounded(limit = 1)]
    /// Doubles `n`; documented after the attribute, so the macro must keep this.
    #[must_use]
    pub async fn documented_and_must_use(n: u32) -> u32 {
        n * 2
    }

    /// Documented before the attribute.
    #[must_use = "the length is the point"]
    #[bounded(limit = 1)]
    pub async fn must_use_with_reason(text: &str) -> usize {
        text.len()
    }

    /// `unused_variables` is denied here: this only compiles if the `#[allow]` written after
    /// `#[bounded]` is kept.
    #[deny(unused_variables)]
    pub mod allowed {
        use bounded_async::bounded;

        #[bounded(limit = 1)]
        #[allow(unused_variables)]
        /// Ignores its argument.
        pub async fn ignores_its_argument(unused: u32) -> u32 {
            7
        }
    }
}

mod private_module {
    use bounded_async::bounded;

    #[bounded(limit = 1)]
    pub(crate) async fn crate_visible() -> &'static str {
        "visible"
    }
}

#[test]
fn attributes_and_visibility_are_kept() {
    use futures::executor::block_on;

    let doubled = block_on(documented::documented_and_must_use(21));
    assert_eq!(doubled, 42);
    assert_eq!(block_on(documented::must_use_with_reason("abc")), 3);
    assert_eq!(block_on(documented::allowed::ignores_its_argument(1)), 7);
    // `pub(crate)` is kept: callable from outside its module.
    assert_eq!(block_on(private_module::crate_visible()), "visible");
}

// ---------------------------------------------------------------------------------------------
// `crate = "..."`: the runtime through a re-export
// ---------------------------------------------------------------------------------------------

mod deps {
    pub use ::bounded_async as concurrency;
}

#[bounded(limit = 1, crate = "crate::deps::concurrency")]
async fn through_reexport(probe: Probe, n: u8) -> u8 {
    probe.hold().await;
    n
}

#[test]
fn a_limit_through_a_reexported_crate_path() {
    let probe = Probe::new();
    let outputs = one_at_a_time(
        &probe,
        through_reexport(probe.clone(), 1),
        through_reexport(probe.clone(), 2),
    );
    assert_eq!(outputs, (1, 2));
}

#[bounded(limit = 2, crate = "crate::deps::concurrency")]
async fn limit_two_through_reexport(probe: Probe) {
    probe.hold().await;
}

#[test]
fn a_limit_of_two_through_a_reexported_crate_path() {
    let probe = Probe::new();
    let mut calls: Vec<_> = (0..3)
        .map(|_| Box::pin(limit_two_through_reexport(probe.clone())))
        .collect();
    for call in &mut calls {
        assert!(poll_once(call.as_mut()).is_pending());
    }
    assert_eq!(probe.entered(), 2, "limit = 2: the third call waits");
    probe.gate.open();
    for call in &mut calls {
        poll_to_completion(call.as_mut(), 10);
    }
    assert_eq!(probe.entered(), 3);
    assert_eq!(probe.entered.max(), 2);
}

#[bounded(limit = 1, strategy = "settled", crate = "crate::deps::concurrency")]
async fn settled_through_reexport(fail: bool) -> Result<u8, String> {
    if fail {
        panic!("through the re-export");
    }
    Ok(3)
}

crate::deps::concurrency::pool!(REEXPORTED_POOL = 1);

#[bounded(pool = REEXPORTED_POOL, limit = 1, crate = "crate::deps::concurrency")]
async fn pool_through_reexport(probe: Probe) -> &'static str {
    probe.hold().await;
    "pooled"
}

#[test]
fn settled_and_pools_through_a_reexported_crate_path() {
    use futures::executor::block_on;

    let outcome: deps::concurrency::Outcome<u8, String> = block_on(settled_through_reexport(false));
    assert_eq!(outcome.ok(), Some(3));
    let panicked = block_on(settled_through_reexport(true));
    assert_eq!(
        panicked
            .panic()
            .and_then(|p| p.message().map(str::to_owned)),
        Some("through the re-export".to_owned())
    );

    let probe = Probe::new();
    let outputs = one_at_a_time(
        &probe,
        pool_through_reexport(probe.clone()),
        pool_through_reexport(probe.clone()),
    );
    assert_eq!(outputs, ("pooled", "pooled"));
    assert_eq!(REEXPORTED_POOL.in_flight(), 0);
}

// ---------------------------------------------------------------------------------------------
// The attribute under another name
// ---------------------------------------------------------------------------------------------

mod renamed {
    use bounded_async::bounded as limited;

    use super::Probe;

    #[limited(limit = 1)]
    pub(super) async fn renamed_attribute(probe: Probe) -> u8 {
        probe.hold().await;
        9
    }
}

#[test]
fn the_attribute_imported_under_another_name() {
    let probe = Probe::new();
    let outputs = one_at_a_time(
        &probe,
        renamed::renamed_attribute(probe.clone()),
        renamed::renamed_attribute(probe.clone()),
    );
    assert_eq!(outputs, (9, 9));
}
