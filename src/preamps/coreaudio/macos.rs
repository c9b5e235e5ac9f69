//! The CoreAudio calls behind [`super::Hal`]: the device found as the capture side finds it
//! (through cpal), then its input scope's volume properties. Type-checked and linted for both
//! macOS targets; never run (no Mac builds or tests this project).

use std::ffi::c_void;
use std::mem::size_of;
use std::ptr::{NonNull, null};

use cpal::traits::DeviceTrait;
use objc2_core_audio::{
    AudioObjectGetPropertyData, AudioObjectHasProperty, AudioObjectID,
    AudioObjectIsPropertySettable, AudioObjectPropertyAddress, AudioObjectPropertySelector,
    AudioObjectSetPropertyData, kAudioDevicePropertyDeviceUID, kAudioDevicePropertyVolumeDecibels,
    kAudioDevicePropertyVolumeRangeDecibels, kAudioObjectPropertyElementMain,
    kAudioObjectPropertyScopeGlobal, kAudioObjectPropertyScopeInput,
};
use objc2_core_audio_types::AudioValueRange;
use objc2_core_foundation::{CFRetained, CFString};

use super::{DEFAULT_DEVICE, Found, Hal};
use crate::capture::device::{device_name, find_device, open_host};

/// CoreAudio on this Mac.
#[derive(Debug, Clone, Copy, Default)]
pub struct CoreAudio;

/// An input-scope property of one element.
fn input(selector: AudioObjectPropertySelector, element: u32) -> AudioObjectPropertyAddress {
    AudioObjectPropertyAddress {
        mSelector: selector,
        mScope: kAudioObjectPropertyScopeInput,
        mElement: element,
    }
}

/// An OSStatus as CoreAudio's four-character code where it is one (`'!obj'`), else a number.
fn status_text(status: i32) -> String {
    let bytes = status.to_be_bytes();
    if bytes.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
        format!("'{}'", String::from_utf8_lossy(&bytes))
    } else {
        format!("status {status}")
    }
}

fn checked(status: i32) -> Result<(), String> {
    if status == 0 {
        Ok(())
    } else {
        Err(status_text(status))
    }
}

/// Reads a property whose value is a plain `T` (no pointers to own).
///
/// # Safety
/// `T` must be the type CoreAudio writes for `address` (Float32 for a volume in dB,
/// `AudioValueRange` for its range, a `CFStringRef` for a UID).
#[allow(unsafe_code)]
unsafe fn get<T: Copy>(
    id: AudioObjectID,
    address: &AudioObjectPropertyAddress,
    value: &mut T,
) -> Result<(), String> {
    let mut size = size_of::<T>() as u32;
    // SAFETY: `address` and `size` live across the call; `value` is writable for `size`
    // bytes, and the caller says CoreAudio writes a `T` there (it writes at most `size`).
    let status = unsafe {
        AudioObjectGetPropertyData(
            id,
            NonNull::from(address),
            0,
            null(),
            NonNull::from(&mut size),
            NonNull::from(value).cast::<c_void>(),
        )
    };
    checked(status)?;
    if size as usize == size_of::<T>() {
        Ok(())
    } else {
        Err(format!(
            "{size} bytes where {} were expected",
            size_of::<T>()
        ))
    }
}

/// The device's UID (what cpal's device id carries after `coreaudio:`).
fn uid_of(id: AudioObjectID) -> Option<String> {
    let address = AudioObjectPropertyAddress {
        mSelector: kAudioDevicePropertyDeviceUID,
        mScope: kAudioObjectPropertyScopeGlobal,
        mElement: kAudioObjectPropertyElementMain,
    };
    let mut uid: *mut CFString = std::ptr::null_mut();
    // SAFETY: the UID property's value is a CFStringRef, which `uid` is.
    #[allow(unsafe_code)]
    unsafe { get(id, &address, &mut uid) }.ok()?;
    let uid = NonNull::new(uid)?;
    // SAFETY: CoreAudio hands the UID over under the Create rule (+1): CFRetained takes that
    // reference and releases it when dropped.
    #[allow(unsafe_code)]
    let uid = unsafe { CFRetained::from_raw(uid) };
    Some(uid.to_string())
}

impl Hal for CoreAudio {
    fn find(&self, device: &str) -> Result<Found, String> {
        let host = open_host(Some(cpal::HostId::CoreAudio)).map_err(|e| e.to_string())?;
        let wanted = (device != DEFAULT_DEVICE).then_some(device);
        // The same rules as the capture side: the preamp is the opened device's.
        let chosen = find_device(&host, wanted).map_err(|e| e.to_string())?;
        let uid = chosen
            .id()
            .map_err(|e| format!("the device has no UID: {e}"))?
            .id()
            .to_string();
        let channels = chosen
            .default_input_config()
            .map_err(|e| format!("cannot read its input channels: {e}"))?
            .channels();
        let ids = coreaudio::audio_unit::macos_helpers::get_audio_device_ids()
            .map_err(|e| format!("cannot list the devices: {e}"))?;
        let id = ids
            .into_iter()
            .find(|id| uid_of(*id).as_deref() == Some(uid.as_str()))
            .ok_or_else(|| format!("no device has the UID {uid}"))?;
        Ok(Found {
            id,
            name: device_name(&chosen),
            channels: u32::from(channels),
        })
    }

    fn has_volume(&self, id: u32, element: u32) -> bool {
        let address = input(kAudioDevicePropertyVolumeDecibels, element);
        // SAFETY: only reads the address, which lives across the call.
        #[allow(unsafe_code)]
        unsafe {
            AudioObjectHasProperty(id, NonNull::from(&address))
        }
    }

    fn is_settable(&self, id: u32, element: u32) -> Result<bool, String> {
        let address = input(kAudioDevicePropertyVolumeDecibels, element);
        let mut settable: u8 = 0;
        // SAFETY: `address` and `settable` (a Boolean, one byte) live across the call.
        #[allow(unsafe_code)]
        let status = unsafe {
            AudioObjectIsPropertySettable(id, NonNull::from(&address), NonNull::from(&mut settable))
        };
        checked(status)?;
        Ok(settable != 0)
    }

    fn range(&self, id: u32, element: u32) -> Result<(f64, f64), String> {
        let address = input(kAudioDevicePropertyVolumeRangeDecibels, element);
        let mut range = AudioValueRange {
            mMinimum: 0.0,
            mMaximum: 0.0,
        };
        // SAFETY: the dB range's value is an AudioValueRange.
        #[allow(unsafe_code)]
        unsafe { get(id, &address, &mut range) }?;
        Ok((range.mMinimum, range.mMaximum))
    }

    fn get_db(&self, id: u32, element: u32) -> Result<f32, String> {
        let address = input(kAudioDevicePropertyVolumeDecibels, element);
        let mut db: f32 = 0.0;
        // SAFETY: the volume in dB is a Float32.
        #[allow(unsafe_code)]
        unsafe { get(id, &address, &mut db) }?;
        Ok(db)
    }

    fn set_db(&self, id: u32, element: u32, db: f32) -> Result<(), String> {
        let address = input(kAudioDevicePropertyVolumeDecibels, element);
        // SAFETY: the volume in dB is a Float32: `db` is read for its 4 bytes during the call,
        // and `address` lives across it.
        #[allow(unsafe_code)]
        let status = unsafe {
            AudioObjectSetPropertyData(
                id,
                NonNull::from(&address),
                0,
                null(),
                size_of::<f32>() as u32,
                NonNull::from(&db).cast::<c_void>(),
            )
        };
        checked(status)
    }
}
