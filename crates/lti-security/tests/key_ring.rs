#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! KeyRing behaviour: persistence, rotation with overlap (checklist 65, 66, 68), encryption at rest, redaction,
//! concurrency.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use lti_security::{Error, KeyEncryptionKey, KeyProtection, KeyRing, KeyRingConfig, Kid};
use lti_storage::{Clock, ManualClock, MemoryStore, SledStore, Store};
use serde_json::Value;

const START: u64 = 1_700_000_000;
const HOUR: Duration = Duration::from_secs(3600);

fn kek() -> KeyEncryptionKey {
    KeyEncryptionKey::from_bytes([0x5a; 32])
}

fn encrypted() -> KeyProtection {
    KeyProtection::encrypted(kek())
}

fn memory() -> Arc<dyn Store> {
    Arc::new(MemoryStore::new())
}

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::at_unix_seconds(START))
}

fn config() -> KeyRingConfig {
    KeyRingConfig::default().with_overlap(HOUR)
}

async fn open_with(
    store: &Arc<dyn Store>,
    name: &str,
    protection: KeyProtection,
    clock: &Arc<ManualClock>,
) -> Result<KeyRing, Error> {
    let clock: Arc<dyn Clock> = clock.clone();
    KeyRing::open(Arc::clone(store), name, protection, clock, config()).await
}

async fn open(store: &Arc<dyn Store>, name: &str, clock: &Arc<ManualClock>) -> KeyRing {
    open_with(store, name, encrypted(), clock).await.unwrap()
}

async fn stored_bytes(store: &Arc<dyn Store>, name: &str) -> Vec<u8> {
    store
        .get(KeyRing::NAMESPACE, name.as_bytes())
        .await
        .unwrap()
        .unwrap()
}

async fn stored_json(store: &Arc<dyn Store>, name: &str) -> Value {
    serde_json::from_slice(&stored_bytes(store, name).await).unwrap()
}

async fn put_json(store: &Arc<dyn Store>, name: &str, record: &Value) {
    let bytes = serde_json::to_vec(record).unwrap();
    store
        .put(KeyRing::NAMESPACE, name.as_bytes(), &bytes, None)
        .await
        .unwrap();
}

fn kids_of(ring: &KeyRing) -> HashSet<String> {
    ring.key_set()
        .iter()
        .map(|k| k.kid().unwrap().as_str().to_owned())
        .collect()
}

fn jwks_kids(ring: &KeyRing) -> Vec<String> {
    let jwks: Value = serde_json::from_str(&ring.jwks_json().unwrap()).unwrap();
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

fn set(kids: &[&Kid]) -> HashSet<String> {
    kids.iter().map(|k| k.as_str().to_owned()).collect()
}

#[tokio::test]
async fn c65_open_twice_on_one_store_gives_the_same_key() {
    let store = memory();
    let clock = clock();
    let first = open(&store, "platform", &clock).await;
    let second = open(&store, "platform", &clock).await;
    let kid = first.signing_key().kid().clone();
    assert_eq!(second.signing_key().kid(), &kid);
    assert_eq!(first.kids(), vec![kid.clone()]);

    // the same key, not just the same label: a signature by one verifies with the other's published key
    let signature = first.signing_key().sign(b"header.payload").unwrap();
    let published = second.key_set();
    let key = published
        .find(kid.as_str(), lti_security::Algorithm::Rs256)
        .unwrap();
    key.verify(
        lti_security::Algorithm::Rs256,
        b"header.payload",
        &signature,
    )
    .unwrap();

    // another ring name in the same store is another key
    let other = open(&store, "tool", &clock).await;
    assert_ne!(other.signing_key().kid(), &kid);
}

#[tokio::test]
async fn sled_reopen_after_restart_keeps_the_key_and_old_signatures_verify() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let (kid, signature) = {
        let store: Arc<dyn Store> = Arc::new(SledStore::open(dir.path()).unwrap());
        let ring = open(&store, "platform", &clock).await;
        let key = ring.signing_key();
        (
            key.kid().clone(),
            key.sign(b"signed before the restart").unwrap(),
        )
        // ring and store dropped here: sled releases the directory
    };
    let store: Arc<dyn Store> = Arc::new(SledStore::open(dir.path()).unwrap());
    let ring = open(&store, "platform", &clock).await;
    let key = ring.signing_key();
    assert_eq!(key.kid(), &kid);
    key.verifying_key()
        .verify(key.alg(), b"signed before the restart", &signature)
        .unwrap();
    assert!(matches!(
        key.verifying_key()
            .verify(key.alg(), b"something else", &signature),
        Err(Error::InvalidSignature)
    ));
}

#[tokio::test]
async fn c66_rotation_keeps_the_previous_key_published_for_the_overlap() {
    let store = memory();
    let clock = clock();
    let ring = open(&store, "platform", &clock).await;
    let other_instance = open(&store, "platform", &clock).await;
    let old = ring.signing_key().kid().clone();
    let old_signature = ring.signing_key().sign(b"old token").unwrap();

    let new = ring.rotate().await.unwrap();
    assert_ne!(
        new, old,
        "rotation must publish the new key under a new kid [Sec §6.4]"
    );
    assert_eq!(ring.signing_key().kid(), &new);
    assert_eq!(ring.kids(), vec![new.clone(), old.clone()], "active first");
    assert_eq!(kids_of(&ring), set(&[&new, &old]));
    assert_eq!(
        jwks_kids(&ring),
        vec![new.as_str().to_owned(), old.as_str().to_owned()]
    );

    // tokens signed by the old key still verify through the published set during the overlap
    let published = ring.key_set();
    published
        .find(old.as_str(), lti_security::Algorithm::Rs256)
        .unwrap()
        .verify(lti_security::Algorithm::Rs256, b"old token", &old_signature)
        .unwrap();

    // another instance keeps signing with the old key until it reloads
    assert_eq!(other_instance.signing_key().kid(), &old);
    assert!(other_instance.reload().await.unwrap());
    assert!(
        !other_instance.reload().await.unwrap(),
        "nothing changed since"
    );
    assert_eq!(other_instance.signing_key().kid(), &new);
    assert_eq!(kids_of(&other_instance), set(&[&new, &old]));

    // just before the overlap ends the old key is still there; at its end it is gone
    clock.advance(HOUR - Duration::from_secs(1));
    assert_eq!(kids_of(&ring), set(&[&new, &old]));
    clock.advance(Duration::from_secs(1));
    assert_eq!(kids_of(&ring), set(&[&new]));
    assert_eq!(jwks_kids(&ring), vec![new.as_str().to_owned()]);
    assert_eq!(ring.kids(), vec![new.clone()]);
    assert_eq!(kids_of(&other_instance), set(&[&new]));

    // a reopen after the overlap does not bring it back, and the next rotation drops it from storage
    let reopened = open(&store, "platform", &clock).await;
    assert_eq!(reopened.kids(), vec![new.clone()]);
    let newest = reopened.rotate().await.unwrap();
    let record = stored_json(&store, "platform").await;
    assert_eq!(record["active"]["kid"], newest.as_str());
    let retiring: Vec<&str> = record["retiring"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert_eq!(retiring, [new.as_str()]);
    assert_eq!(
        record["retiring"][0]["retire_until"],
        START + 3600 + 3600,
        "retire_until = rotation time + overlap"
    );
}

#[tokio::test]
async fn c65_c68_published_keys_have_unique_kids_and_full_rsa_members() {
    let store = memory();
    let clock = clock();
    let ring = open(&store, "platform", &clock).await;
    ring.rotate().await.unwrap();
    let jwks: Value = serde_json::from_str(&ring.jwks_json().unwrap()).unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    let mut kids = HashSet::new();
    for key in keys {
        let kid = key["kid"].as_str().expect("every key has a kid [Sec §6.3]");
        assert!(!kid.is_empty());
        assert!(kids.insert(kid.to_owned()), "kid {kid} repeated");
        assert_eq!(key["kty"], "RSA");
        assert_eq!(key["alg"], "RS256");
        assert_eq!(key["use"], "sig");
        assert_eq!(key["e"], "AQAB");
        let n = URL_SAFE_NO_PAD.decode(key["n"].as_str().unwrap()).unwrap();
        assert!(n.len() * 8 >= 2048, "modulus is {} bits", n.len() * 8);
        for private in ["d", "p", "q", "dp", "dq", "qi"] {
            assert!(
                key.get(private).is_none(),
                "private member `{private}` published"
            );
        }
    }
}

#[tokio::test]
async fn wrong_kek_is_key_decryption() {
    let store = memory();
    let clock = clock();
    let ring = open(&store, "platform", &clock).await;
    drop(ring);
    let wrong = KeyProtection::encrypted(KeyEncryptionKey::from_bytes([0x5b; 32]));
    let err = open_with(&store, "platform", wrong, &clock)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::KeyDecryption), "{err:?}");
    // and the right one still opens it: the failed open changed nothing
    open(&store, "platform", &clock).await;
}

#[tokio::test]
async fn tampered_ciphertext_is_key_decryption() {
    let store = memory();
    let clock = clock();
    let kid = open(&store, "platform", &clock)
        .await
        .signing_key()
        .kid()
        .clone();
    let original = stored_json(&store, "platform").await;
    assert_eq!(
        original["active"]["private_key"]["protection"],
        "aes-256-gcm"
    );
    let sealed = STANDARD
        .decode(original["active"]["private_key"]["data"].as_str().unwrap())
        .unwrap();
    // a nonce byte, a ciphertext byte, the last tag byte
    for at in [0, 12 + 100, sealed.len() - 1] {
        let mut tampered = sealed.clone();
        tampered[at] ^= 0x01;
        let mut record = original.clone();
        record["active"]["private_key"]["data"] = STANDARD.encode(&tampered).into();
        put_json(&store, "platform", &record).await;
        let err = err_of_open(&store, "platform", &clock).await;
        assert!(matches!(err, Error::KeyDecryption), "byte {at}: {err:?}");
    }
    // a relabelled key (the kid is bound to the ciphertext) does not decrypt either
    let mut record = original.clone();
    record["active"]["kid"] = "another-kid".into();
    put_json(&store, "platform", &record).await;
    let err = err_of_open(&store, "platform", &clock).await;
    assert!(matches!(err, Error::KeyDecryption), "{err:?}");
    // nor one whose alg was changed
    let mut record = original.clone();
    record["active"]["alg"] = "RS512".into();
    put_json(&store, "platform", &record).await;
    let err = err_of_open(&store, "platform", &clock).await;
    assert!(matches!(err, Error::KeyDecryption), "{err:?}");

    // the untouched record still opens
    put_json(&store, "platform", &original).await;
    assert_eq!(
        open(&store, "platform", &clock).await.signing_key().kid(),
        &kid
    );
}

async fn err_of_open(store: &Arc<dyn Store>, name: &str, clock: &Arc<ManualClock>) -> Error {
    match open_with(store, name, encrypted(), clock).await {
        Ok(ring) => panic!("a tampered record opened: {ring:?}"),
        Err(e) => e,
    }
}

#[tokio::test]
async fn ciphertext_moved_to_another_ring_is_key_decryption() {
    let store = memory();
    let clock = clock();
    open(&store, "ring-a", &clock).await;
    let record = stored_bytes(&store, "ring-a").await;
    store
        .put(KeyRing::NAMESPACE, b"ring-b", &record, None)
        .await
        .unwrap();
    let err = err_of_open(&store, "ring-b", &clock).await;
    assert!(matches!(err, Error::KeyDecryption), "{err:?}");
}

#[tokio::test]
async fn plaintext_mode_works_and_encrypted_records_hide_the_key() {
    let store = memory();
    let clock = clock();

    // development mode: reopens to the same key, and the record does hold the PKCS#8 (the positive control for
    // the check below)
    let plain = open_with(
        &store,
        "dev",
        KeyProtection::insecure_plaintext_for_development(),
        &clock,
    )
    .await
    .unwrap();
    let again = open_with(
        &store,
        "dev",
        KeyProtection::insecure_plaintext_for_development(),
        &clock,
    )
    .await
    .unwrap();
    assert_eq!(plain.signing_key().kid(), again.signing_key().kid());
    let plain_der = plain.signing_key().to_pkcs8_der().unwrap();
    let plain_record = String::from_utf8(stored_bytes(&store, "dev").await).unwrap();
    assert!(plain_record.contains("insecure-plaintext"));
    assert!(plain_record.contains(&STANDARD.encode(&*plain_der)));

    // encrypted mode: neither the DER (raw or base64, any 32-byte stretch) nor the KEK appears in storage
    let ring = open(&store, "prod", &clock).await;
    let der = ring.signing_key().to_pkcs8_der().unwrap();
    let record = stored_bytes(&store, "prod").await;
    let text = String::from_utf8(record.clone()).unwrap();
    assert!(text.contains("aes-256-gcm"));
    assert!(!text.contains("insecure-plaintext"));
    assert!(!text.contains(&STANDARD.encode(&*der)));
    assert!(!text.contains(&STANDARD.encode(&der[..48])));
    assert!(!text.contains(kek().to_base64().as_str()));
    for window in der.windows(32).step_by(16) {
        assert!(
            !record.windows(32).any(|w| w == window),
            "PKCS#8 bytes stored in clear"
        );
    }

    // the protection must match how the ring was stored, both ways
    let err = open_with(
        &store,
        "prod",
        KeyProtection::insecure_plaintext_for_development(),
        &clock,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::KeyEncryptionKey { .. }), "{err:?}");
    assert!(err.to_string().contains("stored encrypted"), "{err}");
    let err = open_with(&store, "dev", encrypted(), &clock)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::KeyEncryptionKey { .. }), "{err:?}");
    assert!(err.to_string().contains("plain text"), "{err}");
}

#[tokio::test]
async fn debug_output_has_no_key_material() {
    let store = memory();
    let clock = clock();
    let kek = KeyEncryptionKey::generate().unwrap();
    let kek_b64 = kek.to_base64();
    let ring = open_with(
        &store,
        "platform",
        KeyProtection::encrypted(kek.clone()),
        &clock,
    )
    .await
    .unwrap();
    let key = ring.signing_key();
    let pem = key.to_pkcs8_pem().unwrap();
    let body: Vec<&str> = pem
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() >= 16)
        .collect();
    assert!(body.len() > 10, "the PEM body to look for");
    let sealed = stored_json(&store, "platform").await["active"]["private_key"]["data"]
        .as_str()
        .unwrap()
        .to_owned();

    let shown = format!(
        "{ring:?}\n{ring:#?}\n{kek:?}\n{key:?}\n{:?}",
        KeyProtection::encrypted(kek.clone())
    );
    for line in &body {
        assert!(
            !shown.contains(line),
            "PEM body line in Debug output: {shown}"
        );
    }
    assert!(!shown.contains(kek_b64.as_str()));
    assert!(!shown.contains(&kek_b64[..16]));
    assert!(!shown.contains(&sealed[..32]));
    assert!(shown.contains("[redacted]"));
    // Debug says what the ring is
    let ring_debug = format!("{ring:?}");
    assert!(ring_debug.contains("platform"), "{ring_debug}");
    assert!(ring_debug.contains(key.kid().as_str()), "{ring_debug}");
    assert!(ring_debug.contains("Rs256"), "{ring_debug}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_open_of_a_fresh_ring_agrees_on_one_kid() {
    let store = memory();
    let clock = clock();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = Arc::clone(&store);
        let clock = Arc::clone(&clock);
        tasks.push(tokio::spawn(async move {
            let ring = open(&store, "fresh", &clock).await;
            ring.signing_key().kid().clone()
        }));
    }
    let mut kids = HashSet::new();
    for task in tasks {
        kids.insert(task.await.unwrap());
    }
    assert_eq!(kids.len(), 1, "{kids:?}");
    let record = stored_json(&store, "fresh").await;
    assert_eq!(
        record["active"]["kid"],
        kids.iter().next().unwrap().as_str()
    );
    assert_eq!(record["retiring"].as_array().unwrap().len(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_rotate_from_two_instances_keeps_one_consistent_record() {
    let store = memory();
    let clock = clock();
    let a = open(&store, "shared", &clock).await;
    let b = open(&store, "shared", &clock).await;
    let original = a.signing_key().kid().clone();
    let (from_a, from_b) = tokio::join!(a.rotate(), b.rotate());
    let (from_a, from_b) = (from_a.unwrap(), from_b.unwrap());
    assert_ne!(from_a, from_b);

    // both rotations landed: one new key is active, the other new key and the original are retiring
    let fresh = open(&store, "shared", &clock).await;
    let active = fresh.signing_key().kid().clone();
    assert!(active == from_a || active == from_b, "{active:?}");
    assert_eq!(fresh.kids().len(), 3);
    assert_eq!(kids_of(&fresh), set(&[&original, &from_a, &from_b]));
    let record = stored_json(&store, "shared").await;
    assert_eq!(record["active"]["kid"], active.as_str());
    assert_eq!(record["retiring"].as_array().unwrap().len(), 2);

    // each instance ends on (or reloads to) the stored active key
    a.reload().await.unwrap();
    b.reload().await.unwrap();
    assert_eq!(a.signing_key().kid(), &active);
    assert_eq!(b.signing_key().kid(), &active);
    assert_eq!(kids_of(&a), kids_of(&fresh));
}

#[tokio::test]
async fn bad_names_and_unknown_record_versions_are_refused() {
    let store = memory();
    let clock = clock();
    for name in ["", "has space", "a/b", &"x".repeat(65)] {
        let err = open_with(&store, name, encrypted(), &clock)
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::KeyRejected { .. }),
            "{name:?}: {err:?}"
        );
    }
    put_json(
        &store,
        "future",
        &serde_json::json!({"version": 2, "whatever": true}),
    )
    .await;
    let err = err_of_open(&store, "future", &clock).await;
    assert!(matches!(err, Error::KeyRingCorrupt { .. }), "{err:?}");
    assert!(err.to_string().contains("version is 2"), "{err}");
    // the unreadable record is left as it was
    assert_eq!(stored_json(&store, "future").await["version"], 2);
}
