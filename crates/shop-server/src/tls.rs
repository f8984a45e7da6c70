//! HTTPS only. With no certificate configured the server makes its own local certificate
//! authority in the data dir, and a certificate for 127.0.0.1 and localhost signed by it;
//! clients trust that CA explicitly (never by turning verification off).

use std::path::{Path, PathBuf};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};

use crate::error::{Error, Result};

/// PEM files the server serves with.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
    /// The CA clients should trust; `None` when the certificate came from elsewhere.
    pub ca: Option<PathBuf>,
}

/// Returns the local CA and server certificate in `dir`, creating them the first time.
pub fn local_ca(dir: &Path) -> Result<TlsFiles> {
    let files = TlsFiles {
        cert: dir.join("server.pem"),
        key: dir.join("server.key"),
        ca: Some(dir.join("ca.pem")),
    };
    let ca_path = files.ca.as_ref().expect("set above");
    if files.cert.exists() && files.key.exists() && ca_path.exists() {
        return Ok(files);
    }
    std::fs::create_dir_all(dir)?;
    let tls = |e: rcgen::Error| Error::Other(format!("making the local certificate: {e}"));

    let ca_key = KeyPair::generate().map_err(tls)?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(tls)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Inbox shop server local CA");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca_params.self_signed(&ca_key).map_err(tls)?;
    let issuer = Issuer::new(ca_params, ca_key);

    let leaf_key = KeyPair::generate().map_err(tls)?;
    let mut leaf_params = CertificateParams::new(vec![
        "127.0.0.1".to_owned(),
        "localhost".to_owned(),
        "::1".to_owned(),
    ])
    .map_err(tls)?;
    leaf_params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    let leaf = leaf_params.signed_by(&leaf_key, &issuer).map_err(tls)?;

    write_private(&files.key, leaf_key.serialize_pem().as_bytes())?;
    std::fs::write(&files.cert, leaf.pem())?;
    std::fs::write(ca_path, ca_cert.pem())?;
    Ok(files)
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    #[cfg(unix)]
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)?;
        file.write_all(bytes)?;
        Ok(())
    }
    #[cfg(not(unix))]
    {
        std::fs::write(path, bytes)?;
        Ok(())
    }
}
