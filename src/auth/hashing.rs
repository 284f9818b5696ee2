//! Password and secret hashing, bounded: Argon2id needs 7 MiB and tens of milliseconds
//! of one core per hash, so unbounded hashing lets anonymous sign-in attempts exhaust
//! memory and starve every other request.
//!
//! At most `SCRUTINY_HASHING_CONCURRENCY` hashes run at once (default: the number of
//! cores), each on the blocking pool; at most `SCRUTINY_HASHING_QUEUE` more wait for a
//! turn. Beyond that a request is refused at once with 429 and `Retry-After`, costing
//! neither memory nor time. The allocator (mimalloc, in `main.rs`) returns the freed
//! memory to the operating system.

use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::Semaphore;

use crate::error::ApiError;

/// The Argon2id hash of `secret`, in PHC format, as an API error on failure. Slow and
/// memory-hungry: call it only inside [`Hashing::run_conversion`].
pub fn hash_secret(secret: &str) -> Result<String, ApiError> {
    super::hash_secret(secret).map_err(ApiError::Internal)
}

/// How long a refused caller is asked to wait, in seconds.
pub const BUSY_RETRY_AFTER_SECS: u64 = 1;

/// The hashing gate: a semaphore for running hashes and a bound on those waiting.
#[derive(Debug)]
pub struct Hashing {
    running: Semaphore,
    /// Hashes admitted (running or waiting).
    admitted: AtomicUsize,
    /// The most that may be admitted: running plus waiting.
    capacity: usize,
}

impl Hashing {
    /// A gate that runs `concurrency` hashes at once and lets `queue` more wait.
    pub fn new(concurrency: usize, queue: usize) -> Self {
        let concurrency = concurrency.max(1);
        Self {
            running: Semaphore::new(concurrency),
            admitted: AtomicUsize::new(0),
            capacity: concurrency + queue,
        }
    }

    /// Whether `secret` matches the PHC-format `hash` (a dummy hash is checked when there
    /// is none, so an unknown account takes as long as a known one); 429 when busy.
    pub async fn verify(&self, secret: String, hash: Option<String>) -> Result<bool, ApiError> {
        self.run(move || super::verify_secret(&secret, hash.as_deref())).await
    }

    /// Runs `convert` (a request conversion that hashes a new password or secret with
    /// [`hash_secret`]) through the gate; 429 when busy, else what it returns.
    pub async fn run_conversion<T: Send + 'static>(
        &self,
        convert: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        self.run(convert).await?
    }

    /// Runs `work`, which hashes, through the gate, on the blocking pool; 429 when busy.
    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, ApiError> {
        let _admission = self.admit()?;
        let _turn = self
            .running
            .acquire()
            .await
            .map_err(|_| ApiError::Internal(anyhow::anyhow!("the hashing gate is closed")))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("hashing failed: {e}")))
    }

    /// A place in the gate, given back when dropped; 429 when the gate is full.
    fn admit(&self) -> Result<Admission<'_>, ApiError> {
        let before = self.admitted.fetch_add(1, Ordering::SeqCst);
        let admission = Admission(&self.admitted);
        if before >= self.capacity {
            return Err(ApiError::TooManyRequests {
                retry_after_secs: BUSY_RETRY_AFTER_SECS,
            });
        }
        Ok(admission)
    }
}

/// One admitted hash; leaving the gate (done, refused or cancelled) frees its place.
struct Admission<'a>(&'a AtomicUsize);

impl Drop for Admission<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn beyond_the_running_and_waiting_hashes_a_request_is_refused_at_once() {
        let gate = std::sync::Arc::new(Hashing::new(1, 1));
        let hash = super::super::hash_secret("correct horse battery staple").unwrap();
        let attempts: Vec<_> = (0..8)
            .map(|_| {
                let gate = gate.clone();
                let hash = hash.clone();
                tokio::spawn(async move { gate.verify("wrong".into(), Some(hash)).await })
            })
            .collect();
        let mut refused = 0;
        let mut checked = 0;
        for attempt in attempts {
            match attempt.await.unwrap() {
                Ok(matched) => {
                    assert!(!matched);
                    checked += 1;
                }
                Err(ApiError::TooManyRequests { retry_after_secs }) => {
                    assert_eq!(retry_after_secs, BUSY_RETRY_AFTER_SECS);
                    refused += 1;
                }
                Err(other) => panic!("unexpected {other:?}"),
            }
        }
        assert!(checked >= 2 && refused >= 1, "checked {checked}, refused {refused}");
        assert_eq!(gate.admitted.load(Ordering::SeqCst), 0, "every place was given back");
        assert!(gate
            .verify("correct horse battery staple".into(), Some(hash))
            .await
            .unwrap());
    }
}
