//! A Windows capture endpoint's channel volumes (`wasapi:DEVICE`, found by itself for
//! `--host wasapi`, Windows' default host), through the endpoint's `IAudioEndpointVolume`: its
//! channels in the endpoint's order are the preamps, set in dB within the endpoint's own range
//! and step. Where the driver maps the endpoint volume to the interface's gain, that moves the
//! real preamp (the endpoint says so through `QueryHardwareSupport`); otherwise Windows scales
//! the samples, and `preamps` says it is a software volume.
//!
//! DEVICE is matched as `--device` matches it, among the same endpoints through cpal (so the
//! volume belongs to the endpoint gainstage captures from); `default` is the default capture
//! endpoint. The endpoint is looked up afresh for every question, so each read is what Windows
//! says now and a replugged interface is found again.
//!
//! COM is initialised (multithreaded) on the thread that asks: the preamps' own thread, never
//! the meter's. Every COM call is `unsafe` in the `windows` crate; the functions that make
//! them allow it one by one.

use std::cell::Cell;

use windows::Win32::Foundation::RPC_E_CHANGED_MODE;
use windows::Win32::Media::Audio::Endpoints::IAudioEndpointVolume;
use windows::Win32::Media::Audio::{IMMDeviceEnumerator, MMDeviceEnumerator};
use windows::Win32::System::Com::{
    CLSCTX_ALL, COINIT_MULTITHREADED, CoCreateInstance, CoInitializeEx,
};
use windows::core::HSTRING;

use super::range::GainRange;
use super::spec::{Through, WASAPI_DEFAULT};
use super::{Preamp, PreampError};
use crate::capture::device::{device_id, device_name, match_device};

/// `ENDPOINT_HARDWARE_SUPPORT_VOLUME` (endpointvolume.h): the volume is the device's own.
const HARDWARE_VOLUME: u32 = 0x1;

thread_local! {
    /// Whether this thread has joined COM (once a thread, for the thread's lifetime).
    static COM_JOINED: Cell<bool> = const { Cell::new(false) };
}

/// Joins COM on this thread. A thread that is already in an apartment (cpal makes its own
/// threads single-threaded) keeps it: the endpoint interfaces work from either.
#[allow(unsafe_code)]
fn join_com() -> Result<(), String> {
    if COM_JOINED.get() {
        return Ok(());
    }
    // SAFETY: no reserved pointer; the thread keeps COM for its lifetime, never uninitialised.
    let hr = unsafe { CoInitializeEx(None, COINIT_MULTITHREADED) };
    if hr.is_ok() || hr == RPC_E_CHANGED_MODE {
        COM_JOINED.set(true);
        Ok(())
    } else {
        Err(format!(
            "COM cannot start: {}",
            windows::core::Error::from(hr)
        ))
    }
}

/// The endpoint id Windows knows (`{0.0.1.00000000}.{…}`) of the capture endpoint `device`
/// names, matched as `--device` is among cpal's WASAPI input devices.
fn endpoint_id(device: &str) -> Result<String, String> {
    use cpal::traits::HostTrait;
    let host = cpal::host_from_id(cpal::HostId::Wasapi).map_err(|e| e.to_string())?;
    let chosen = if device.eq_ignore_ascii_case(WASAPI_DEFAULT) {
        host.default_input_device()
            .ok_or_else(|| "there is no default capture endpoint".to_string())?
    } else {
        let devices: Vec<cpal::Device> = host
            .input_devices()
            .map_err(|e| format!("cannot list the capture endpoints: {e}"))?
            .collect();
        let candidates: Vec<(String, String)> = devices
            .iter()
            .map(|d| (device_id(d), device_name(d)))
            .collect();
        let i = match_device(device, &candidates)?;
        devices
            .into_iter()
            .nth(i)
            .ok_or_else(|| "the endpoint list changed while looking".to_string())?
    };
    let id = device_id(&chosen);
    // cpal's id is `wasapi:` and the endpoint's own id.
    let own = id.strip_prefix("wasapi:").unwrap_or(&id);
    if own.is_empty() {
        return Err("the endpoint has no id".into());
    }
    Ok(own.to_string())
}

/// To 0.00001 dB: the f32's last bits are not a gain anyone set (0.1 reads as 0.1), while
/// the steps drivers report (often 1/32 dB) stay exact, so a gain put on the grid reads back
/// on it.
fn tidy(db: f32) -> f64 {
    (f64::from(db) * 1e5).round() / 1e5
}

/// The channel volumes of one capture endpoint.
#[derive(Debug)]
pub struct WasapiEndpoint {
    device: String,
    /// Whether the volume is the device's own, as last seen.
    hardware: bool,
}

impl WasapiEndpoint {
    pub fn new(device: &str) -> Self {
        Self {
            device: device.to_string(),
            hardware: false,
        }
    }

    fn name(&self) -> String {
        format!("wasapi {}", self.device)
    }

    fn failed(&self, what: &str, e: &windows::core::Error) -> PreampError {
        PreampError::Protocol(self.name(), format!("{what}: {e}"))
    }

    /// The endpoint's volume interface, looked up now.
    #[allow(unsafe_code)]
    fn volume(&mut self) -> Result<IAudioEndpointVolume, PreampError> {
        join_com().map_err(|e| PreampError::Unreachable(self.name(), e))?;
        let id = endpoint_id(&self.device).map_err(|e| PreampError::Unreachable(self.name(), e))?;
        // SAFETY: COM is joined on this thread; every pointer passed is a live local.
        let volume = unsafe {
            let enumerator: IMMDeviceEnumerator =
                CoCreateInstance(&MMDeviceEnumerator, None, CLSCTX_ALL)
                    .map_err(|e| self.failed("the endpoint enumerator", &e))?;
            let endpoint = enumerator
                .GetDevice(&HSTRING::from(id.as_str()))
                .map_err(|e| PreampError::Unreachable(self.name(), e.to_string()))?;
            endpoint
                .Activate::<IAudioEndpointVolume>(CLSCTX_ALL, None)
                .map_err(|e| self.failed("IAudioEndpointVolume", &e))?
        };
        // A driver that cannot say is taken as a software volume: the cautious reading.
        // SAFETY: a live interface.
        self.hardware =
            unsafe { volume.QueryHardwareSupport() }.is_ok_and(|mask| mask & HARDWARE_VOLUME != 0);
        Ok(volume)
    }

    /// The volume and its channel count, with `index` checked against it.
    #[allow(unsafe_code)]
    fn channel(&mut self, index: usize) -> Result<(IAudioEndpointVolume, u32), PreampError> {
        let volume = self.volume()?;
        // SAFETY: a live interface.
        let count =
            unsafe { volume.GetChannelCount() }.map_err(|e| self.failed("GetChannelCount", &e))?;
        match u32::try_from(index) {
            Ok(channel) if channel < count => Ok((volume, channel)),
            _ => Err(PreampError::NoSuchPreamp(
                self.name(),
                format!("channel {}", index + 1),
            )),
        }
    }

    #[allow(unsafe_code)]
    fn range_of(&self, volume: &IAudioEndpointVolume) -> Result<GainRange, PreampError> {
        let (mut min, mut max, mut step) = (0f32, 0f32, 0f32);
        // SAFETY: a live interface and three live out-parameters.
        unsafe { volume.GetVolumeRange(&mut min, &mut max, &mut step) }
            .map_err(|e| self.failed("GetVolumeRange", &e))?;
        Ok(GainRange {
            min_db: tidy(min),
            max_db: tidy(max),
            step_db: tidy(step),
        })
    }
}

impl Preamp for WasapiEndpoint {
    fn through(&self) -> Through {
        Through::Wasapi
    }
    fn place(&self) -> String {
        self.name()
    }
    #[allow(unsafe_code)]
    fn count(&mut self) -> Result<usize, PreampError> {
        let volume = self.volume()?;
        // SAFETY: a live interface.
        let count =
            unsafe { volume.GetChannelCount() }.map_err(|e| self.failed("GetChannelCount", &e))?;
        Ok(count as usize)
    }
    fn label(&self, index: usize) -> String {
        format!("channel {}", index + 1)
    }
    fn range(&mut self, index: usize) -> Result<GainRange, PreampError> {
        let (volume, _) = self.channel(index)?;
        self.range_of(&volume)
    }
    #[allow(unsafe_code)]
    fn read_db(&mut self, index: usize) -> Result<f64, PreampError> {
        let (volume, channel) = self.channel(index)?;
        // SAFETY: a live interface and a channel below its count.
        let db = unsafe { volume.GetChannelVolumeLevel(channel) }
            .map_err(|e| self.failed("GetChannelVolumeLevel", &e))?;
        Ok(tidy(db))
    }
    #[allow(unsafe_code)]
    fn write_db(&mut self, index: usize, db: f64) -> Result<(), PreampError> {
        let (volume, channel) = self.channel(index)?;
        let range = self.range_of(&volume)?;
        let db = db.clamp(range.min_db, range.max_db) as f32;
        // SAFETY: a live interface, a channel below its count and no event context.
        unsafe { volume.SetChannelVolumeLevel(channel, db, std::ptr::null()) }
            .map_err(|e| self.failed("SetChannelVolumeLevel", &e))
    }
    fn is_hardware(&self) -> bool {
        self.hardware
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_lose_the_floats_noise_and_keep_a_drivers_step() {
        assert_eq!(tidy(0.1), 0.1);
        assert_eq!(tidy(-12.000_001), -12.0);
        assert_eq!(tidy(0.03125), 0.03125);
        assert_eq!(tidy(-9.03125), -9.03125);
    }
}
