//! Declarations of the part of PortAudio 19's C API that the library uses
//! (`portaudio.h`).
#![allow(
    non_camel_case_types,
    non_snake_case,
    non_upper_case_globals,
    dead_code
)]

use std::os::raw::{c_char, c_double, c_int, c_ulong, c_void};

pub type PaError = c_int;
pub type PaDeviceIndex = c_int;
pub type PaHostApiIndex = c_int;
pub type PaHostApiTypeId = c_int;
pub type PaTime = c_double;
pub type PaSampleFormat = c_ulong;
pub type PaStreamFlags = c_ulong;
pub type PaStreamCallbackFlags = c_ulong;
pub type PaStream = c_void;

pub const paNoError: PaError = 0;
pub const paNoDevice: PaDeviceIndex = -1;

pub const paFloat32: PaSampleFormat = 0x0000_0001;
pub const paInt32: PaSampleFormat = 0x0000_0002;
pub const paInt24: PaSampleFormat = 0x0000_0004;
pub const paInt16: PaSampleFormat = 0x0000_0008;
pub const paInt8: PaSampleFormat = 0x0000_0010;
pub const paUInt8: PaSampleFormat = 0x0000_0020;

pub const paClipOff: PaStreamFlags = 0x0000_0001;
pub const paDitherOff: PaStreamFlags = 0x0000_0002;
pub const paNeverDropInput: PaStreamFlags = 0x0000_0004;
pub const paPrimeOutputBuffersUsingStreamCallback: PaStreamFlags = 0x0000_0008;

pub const paContinue: c_int = 0;
pub const paComplete: c_int = 1;
pub const paAbort: c_int = 2;

pub const paCoreAudio: PaHostApiTypeId = 5;
pub const paJACK: PaHostApiTypeId = 12;

#[repr(C)]
pub struct PaHostApiInfo {
    pub structVersion: c_int,
    pub type_: PaHostApiTypeId,
    pub name: *const c_char,
    pub deviceCount: c_int,
    pub defaultInputDevice: PaDeviceIndex,
    pub defaultOutputDevice: PaDeviceIndex,
}

#[repr(C)]
pub struct PaDeviceInfo {
    pub structVersion: c_int,
    pub name: *const c_char,
    pub hostApi: PaHostApiIndex,
    pub maxInputChannels: c_int,
    pub maxOutputChannels: c_int,
    pub defaultLowInputLatency: PaTime,
    pub defaultLowOutputLatency: PaTime,
    pub defaultHighInputLatency: PaTime,
    pub defaultHighOutputLatency: PaTime,
    pub defaultSampleRate: c_double,
}

#[repr(C)]
pub struct PaStreamParameters {
    pub device: PaDeviceIndex,
    pub channelCount: c_int,
    pub sampleFormat: PaSampleFormat,
    pub suggestedLatency: PaTime,
    pub hostApiSpecificStreamInfo: *mut c_void,
}

#[repr(C)]
pub struct PaStreamCallbackTimeInfo {
    pub inputBufferAdcTime: PaTime,
    pub currentTime: PaTime,
    pub outputBufferDacTime: PaTime,
}

#[repr(C)]
pub struct PaStreamInfo {
    pub structVersion: c_int,
    pub inputLatency: PaTime,
    pub outputLatency: PaTime,
    pub sampleRate: c_double,
}

pub type PaStreamCallback = unsafe extern "C" fn(
    input: *const c_void,
    output: *mut c_void,
    frameCount: c_ulong,
    timeInfo: *const PaStreamCallbackTimeInfo,
    statusFlags: PaStreamCallbackFlags,
    userData: *mut c_void,
) -> c_int;

pub type PaStreamFinishedCallback = unsafe extern "C" fn(userData: *mut c_void);

unsafe extern "C" {
    pub fn Pa_Initialize() -> PaError;
    pub fn Pa_Terminate() -> PaError;
    pub fn Pa_GetVersionText() -> *const c_char;
    pub fn Pa_GetErrorText(errorCode: PaError) -> *const c_char;
    pub fn Pa_GetHostApiCount() -> PaHostApiIndex;
    pub fn Pa_GetHostApiInfo(hostApi: PaHostApiIndex) -> *const PaHostApiInfo;
    pub fn Pa_GetDeviceCount() -> PaDeviceIndex;
    pub fn Pa_GetDefaultInputDevice() -> PaDeviceIndex;
    pub fn Pa_GetDefaultOutputDevice() -> PaDeviceIndex;
    pub fn Pa_GetDeviceInfo(device: PaDeviceIndex) -> *const PaDeviceInfo;
    pub fn Pa_IsFormatSupported(
        inputParameters: *const PaStreamParameters,
        outputParameters: *const PaStreamParameters,
        sampleRate: c_double,
    ) -> PaError;
    pub fn Pa_OpenStream(
        stream: *mut *mut PaStream,
        inputParameters: *const PaStreamParameters,
        outputParameters: *const PaStreamParameters,
        sampleRate: c_double,
        framesPerBuffer: c_ulong,
        streamFlags: PaStreamFlags,
        streamCallback: Option<PaStreamCallback>,
        userData: *mut c_void,
    ) -> PaError;
    pub fn Pa_CloseStream(stream: *mut PaStream) -> PaError;
    pub fn Pa_SetStreamFinishedCallback(
        stream: *mut PaStream,
        streamFinishedCallback: Option<PaStreamFinishedCallback>,
    ) -> PaError;
    pub fn Pa_StartStream(stream: *mut PaStream) -> PaError;
    pub fn Pa_StopStream(stream: *mut PaStream) -> PaError;
    pub fn Pa_AbortStream(stream: *mut PaStream) -> PaError;
    pub fn Pa_IsStreamActive(stream: *mut PaStream) -> PaError;
    pub fn Pa_GetStreamInfo(stream: *mut PaStream) -> *const PaStreamInfo;
    pub fn Pa_GetStreamTime(stream: *mut PaStream) -> PaTime;
    pub fn Pa_GetStreamCpuLoad(stream: *mut PaStream) -> c_double;
}
