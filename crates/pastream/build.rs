//! Finds the system's PortAudio library with pkg-config.

fn main() {
    #[cfg(feature = "portaudio")]
    if let Err(e) = pkg_config::Config::new()
        .atleast_version("19")
        .probe("portaudio-2.0")
    {
        eprintln!(
            "PortAudio was not found ({e}); on Debian: apt-get install portaudio19-dev pkg-config"
        );
        std::process::exit(1);
    }
}
