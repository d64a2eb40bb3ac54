//! The fast path of the membership reader held to the full reader: what it
//! reads, the full reader reads to the same raw structures (it may give up
//! on anything, never read a text differently or accept what the full
//! reader refuses).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rbacc::membership::raw::RawMembers;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(fast) = RawMembers::from_plain_yaml(text) {
        match serde_yaml::from_str::<RawMembers>(text) {
            Ok(full) => assert!(fast == full, "the readers differ on {text:?}"),
            Err(e) => panic!("the fast path read what the full reader refuses ({e}): {text:?}"),
        }
    }
});
