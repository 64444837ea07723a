//! Hello's `build_info` and `os_info`, with baton's fallbacks so no field is empty
//! (ConductorOne rejects a Hello with empty host fields).

use super::proto::{BuildInfo, OsInfo};

/// `build_info`: the program's name and version as configured; the language is `rust`.
pub(crate) fn build_info(package: &str, version: &str) -> BuildInfo {
    let or = |s: &str, fallback: &str| {
        if s.is_empty() {
            fallback.to_owned()
        } else {
            s.to_owned()
        }
    };
    BuildInfo {
        lang_version: "rust".to_owned(),
        package: or(package, "/dummy/path"),
        package_version: or(version, "0.0.0"),
    }
}

/// `os_info` from the host (`/etc/os-release` and `/proc` on Linux), filled as baton's
/// `collectOSInfo` does: virtualisation `none`, host name `unknown`, platform := os,
/// platform family := platform, kernel version `unknown`, platform version := kernel version,
/// kernel architecture := the build's.
pub(crate) fn os_info() -> OsInfo {
    let os_release = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
    let field = |name: &str| -> String {
        os_release
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix('='))
            .map(|v| v.trim().trim_matches('"').to_owned())
            .unwrap_or_default()
    };
    let kernel_version = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_owned())
        .unwrap_or_default();
    let mut info = OsInfo {
        hostname: gethostname::gethostname().into_string().unwrap_or_default(),
        // Go's GOOS names, which gopsutil reports.
        os: match std::env::consts::OS {
            "macos" => "darwin".to_owned(),
            other => other.to_owned(),
        },
        platform: field("ID"),
        platform_version: field("VERSION_ID"),
        platform_family: field("ID_LIKE")
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned(),
        kernel_version,
        kernel_arch: std::env::consts::ARCH.to_owned(),
        virtualization_system: String::new(),
    };
    fill_defaults(&mut info);
    info
}

fn fill_defaults(info: &mut OsInfo) {
    if info.virtualization_system.is_empty() {
        info.virtualization_system = "none".to_owned();
    }
    if info.hostname.is_empty() {
        info.hostname = "unknown".to_owned();
    }
    if info.platform.is_empty() {
        info.platform.clone_from(&info.os);
    }
    if info.platform_family.is_empty() {
        info.platform_family.clone_from(&info.platform);
    }
    if info.kernel_version.is_empty() {
        info.kernel_version = "unknown".to_owned();
    }
    if info.platform_version.is_empty() {
        info.platform_version.clone_from(&info.kernel_version);
    }
    if info.kernel_arch.is_empty() {
        info.kernel_arch = std::env::consts::ARCH.to_owned();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_field_is_empty() {
        let info = os_info();
        for (name, v) in [
            ("hostname", &info.hostname),
            ("os", &info.os),
            ("platform", &info.platform),
            ("platform_version", &info.platform_version),
            ("platform_family", &info.platform_family),
            ("kernel_version", &info.kernel_version),
            ("kernel_arch", &info.kernel_arch),
            ("virtualization_system", &info.virtualization_system),
        ] {
            assert!(!v.is_empty(), "{name} is empty");
        }
        let mut bare = OsInfo {
            os: "linux".into(),
            ..OsInfo::default()
        };
        fill_defaults(&mut bare);
        assert_eq!(bare.platform, "linux");
        assert_eq!(bare.platform_family, "linux");
        assert_eq!(bare.platform_version, "unknown");
        assert_eq!(bare.hostname, "unknown");
        assert_eq!(bare.virtualization_system, "none");
        let b = build_info("", "");
        assert_eq!(
            (b.package.as_str(), b.package_version.as_str()),
            ("/dummy/path", "0.0.0")
        );
    }
}
