//! Where uploaded files live: a local directory by default, S3 or an S3-compatible store in
//! production, behind the `object_store` crate so that handlers see one interface.

use std::{collections::BTreeMap, path::Path as FsPath, sync::Arc};

use bytes::Bytes;
use object_store::{
    ObjectStore, PutPayload,
    aws::{AmazonS3Builder, AmazonS3ConfigKey},
    local::LocalFileSystem,
    memory::InMemory,
    path::Path,
    prefix::PrefixStore,
};

use crate::error::ApiError;

/// The configured object store.
#[derive(Clone, Debug)]
pub struct Objects(Arc<dyn ObjectStore>);

impl Objects {
    /// Opens the store named by `url` (`file:///dir`, `s3://bucket[/prefix]`, `memory://`), or
    /// `<data_dir>/objects` when none is named. `options` configure an S3 store beyond the
    /// `AWS_*` variables (endpoint, credentials, …).
    pub fn open(
        url: Option<&str>,
        options: &BTreeMap<String, String>,
        data_dir: &FsPath,
    ) -> anyhow::Result<Self> {
        let local = |dir: &FsPath| -> anyhow::Result<Self> {
            std::fs::create_dir_all(dir)?;
            Ok(Self(Arc::new(LocalFileSystem::new_with_prefix(dir)?)))
        };
        let Some(url) = url.map(str::trim).filter(|u| !u.is_empty()) else {
            return local(&data_dir.join("objects"));
        };
        if let Some(dir) = url.strip_prefix("file://") {
            return local(FsPath::new(dir));
        }
        if let Some(bucket_and_prefix) = url.strip_prefix("s3://") {
            let mut builder = AmazonS3Builder::from_env().with_url(url);
            for (key, value) in options {
                let key: AmazonS3ConfigKey = key
                    .parse()
                    .map_err(|e| anyhow::anyhow!("object_store_options: {key}: {e}"))?;
                builder = builder.with_config(key, value);
            }
            let store = builder.build()?;
            // The builder takes the bucket from the URL; a path after it becomes a key prefix.
            let prefix = bucket_and_prefix
                .split_once('/')
                .map(|(_, p)| p.trim_matches('/'))
                .unwrap_or_default();
            if prefix.is_empty() {
                return Ok(Self(Arc::new(store)));
            }
            return Ok(Self(Arc::new(PrefixStore::new(store, prefix))));
        }
        if url == "memory://" {
            return Ok(Self(Arc::new(InMemory::new())));
        }
        anyhow::bail!("object_store_url: expected file://, s3:// or memory://, got {url}")
    }

    /// Stores `bytes` under `key`.
    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<(), ApiError> {
        self.0
            .put(&Path::from(key), PutPayload::from(bytes))
            .await
            .map(|_| ())
            .map_err(unavailable)
    }

    /// The bytes under `key`; a missing object is 404.
    pub async fn get(&self, key: &str) -> Result<Bytes, ApiError> {
        let result = self.0.get(&Path::from(key)).await.map_err(|e| match e {
            object_store::Error::NotFound { .. } => ApiError::not_found(),
            other => unavailable(other),
        })?;
        result.bytes().await.map_err(unavailable)
    }

    /// Deletes the objects under `keys`, logging (never failing) when one cannot be deleted: used
    /// to tidy up after a request that stored files and then failed.
    pub async fn delete_all(&self, keys: &[String]) {
        for key in keys {
            if let Err(e) = self.0.delete(&Path::from(key.as_str())).await {
                tracing::warn!(key, error = %e, "could not delete an orphaned object");
            }
        }
    }
}

fn unavailable(e: object_store::Error) -> ApiError {
    tracing::error!(error = %e, "object store failed");
    ApiError::Unavailable("the object store")
}
