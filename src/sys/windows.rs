//! The Win32 calls the Windows build needs beyond the standard library: who this user
//! is, owner-only files and folders from the moment they exist, who may read or write
//! an existing one, atomic replacement, file identity, and Ctrl-C while a child runs.
//! Each function here is safe to call; the `unsafe` is only what the calls need.

use std::ffi::OsStr;
use std::fs::File;
use std::io;
use std::os::windows::ffi::OsStrExt;
use std::os::windows::io::{AsRawHandle, FromRawHandle, OwnedHandle};
use std::path::Path;

use windows_sys::Win32::Foundation::{
    ERROR_SUCCESS, GENERIC_READ, GENERIC_WRITE, HANDLE, INVALID_HANDLE_VALUE, LocalFree,
};
use windows_sys::Win32::Security::Authorization::{
    ConvertSidToStringSidW, ConvertStringSecurityDescriptorToSecurityDescriptorW,
    GetNamedSecurityInfoW, GetSecurityInfo, SDDL_REVISION_1, SE_FILE_OBJECT,
};
use windows_sys::Win32::Security::{
    ACCESS_ALLOWED_ACE, ACE_HEADER, ACL, ACL_SIZE_INFORMATION, AclSizeInformation,
    DACL_SECURITY_INFORMATION, GetAce, GetAclInformation, GetLengthSid, GetTokenInformation,
    INHERIT_ONLY_ACE, OWNER_SECURITY_INFORMATION, PSECURITY_DESCRIPTOR, PSID, SECURITY_ATTRIBUTES,
    TOKEN_QUERY, TOKEN_USER, TokenUser,
};
use windows_sys::Win32::Storage::FileSystem::{
    BY_HANDLE_FILE_INFORMATION, CREATE_NEW, CreateDirectoryW, CreateFileW, FILE_ATTRIBUTE_NORMAL,
    FILE_SHARE_DELETE, FILE_SHARE_READ, FILE_SHARE_WRITE, GetFileInformationByHandle,
    MOVEFILE_REPLACE_EXISTING, MOVEFILE_WRITE_THROUGH, MoveFileExW, OPEN_ALWAYS,
};
use windows_sys::Win32::System::Console::SetConsoleCtrlHandler;
use windows_sys::Win32::System::SystemServices::ACCESS_ALLOWED_ACE_TYPE;
use windows_sys::Win32::System::Threading::{GetCurrentProcess, OpenProcessToken};
use windows_sys::core::BOOL;

/// A path as Win32 takes it: UTF-16, NUL-terminated.
fn wide(s: &OsStr) -> Vec<u16> {
    s.encode_wide().chain(std::iter::once(0)).collect()
}

/// A security identifier, copied out of whatever held it.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Sid(Vec<u8>);

impl Sid {
    /// Copy the SID at `psid`.
    ///
    /// SAFETY: `psid` must point to a valid SID for the duration of the call.
    unsafe fn copy_from(psid: PSID) -> Self {
        // SAFETY: the caller guarantees a valid SID; its length comes from the SID itself.
        let len = unsafe { GetLengthSid(psid) } as usize;
        // SAFETY: `len` bytes are readable at `psid`, as GetLengthSid reported.
        let bytes = unsafe { std::slice::from_raw_parts(psid as *const u8, len) };
        Sid(bytes.to_vec())
    }

    /// Its string form, `S-1-5-21-...`.
    pub(crate) fn to_string_form(&self) -> String {
        let mut out: *mut u16 = std::ptr::null_mut();
        // SAFETY: `self.0` is a complete SID copied by `copy_from`; on success the
        // system allocates `out`, which is read up to its NUL and freed with LocalFree.
        unsafe {
            if ConvertSidToStringSidW(self.0.as_ptr() as PSID, &mut out) == 0 || out.is_null() {
                return "an unknown user".to_owned();
            }
            let mut len = 0;
            while *out.add(len) != 0 {
                len += 1;
            }
            let text = String::from_utf16_lossy(std::slice::from_raw_parts(out, len));
            LocalFree(out as _);
            text
        }
    }
}

impl std::fmt::Debug for Sid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_string_form())
    }
}

/// The user this process runs as.
pub(crate) fn current_user() -> io::Result<Sid> {
    let mut token: HANDLE = std::ptr::null_mut();
    // SAFETY: the pseudo-handle of this process is always valid; `token` receives a
    // handle closed below.
    if unsafe { OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) } == 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `token` was just opened and is owned here.
    let token = unsafe { OwnedHandle::from_raw_handle(token as _) };
    let mut needed = 0u32;
    // SAFETY: asking for the size only (null buffer, length 0) is allowed.
    unsafe {
        GetTokenInformation(
            token.as_raw_handle() as HANDLE,
            TokenUser,
            std::ptr::null_mut(),
            0,
            &mut needed,
        )
    };
    // u64 storage keeps the TOKEN_USER at the start of the buffer aligned.
    let mut buf = vec![0u64; (needed as usize).div_ceil(8).max(1)];
    // SAFETY: `buf` holds at least `needed` bytes, the size the call asked for.
    let ok = unsafe {
        GetTokenInformation(
            token.as_raw_handle() as HANDLE,
            TokenUser,
            buf.as_mut_ptr().cast(),
            (buf.len() * 8) as u32,
            &mut needed,
        )
    };
    if ok == 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: on success the buffer starts with a TOKEN_USER whose SID points into the
    // same buffer, alive until the copy is made.
    unsafe {
        let user = &*(buf.as_ptr() as *const TOKEN_USER);
        Ok(Sid::copy_from(user.User.Sid))
    }
}

/// A security descriptor from SDDL, freed when dropped.
struct Descriptor(PSECURITY_DESCRIPTOR);

impl Descriptor {
    /// Owner-only: owned by `user` (not the Administrators group an elevated token
    /// would otherwise name), with a protected DACL (nothing inherited) granting full
    /// control to `user` and SYSTEM alone, inherited in turn by what a folder holds.
    fn owner_only(user: &Sid) -> io::Result<Self> {
        let user = user.to_string_form();
        let sddl = format!("O:{user}D:P(A;OICI;FA;;;{user})(A;OICI;FA;;;SY)");
        let text = wide(OsStr::new(&sddl));
        let mut sd: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
        // SAFETY: `text` is NUL-terminated; on success `sd` is allocated by the system
        // and freed by Drop with LocalFree.
        let ok = unsafe {
            ConvertStringSecurityDescriptorToSecurityDescriptorW(
                text.as_ptr(),
                SDDL_REVISION_1,
                &mut sd,
                std::ptr::null_mut(),
            )
        };
        if ok == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Self(sd))
    }

    fn attributes(&self) -> SECURITY_ATTRIBUTES {
        SECURITY_ATTRIBUTES {
            nLength: std::mem::size_of::<SECURITY_ATTRIBUTES>() as u32,
            lpSecurityDescriptor: self.0,
            bInheritHandle: 0,
        }
    }
}

impl Drop for Descriptor {
    fn drop(&mut self) {
        // SAFETY: allocated by ConvertStringSecurityDescriptorToSecurityDescriptorW.
        unsafe { LocalFree(self.0 as _) };
    }
}

/// How [`create_file`] opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Create {
    /// A new file; fails when one exists.
    New,
    /// The file, created when missing.
    OpenOrCreate,
}

/// Open `path` for reading and writing as `how` says; a file this creates is
/// owner-only from its creation (protected DACL: this user and SYSTEM) when `private`.
/// Other processes may read, write, rename and delete it meanwhile, as with the
/// standard library's files.
pub(crate) fn create_file(path: &Path, how: Create, private: bool) -> io::Result<File> {
    let descriptor = if private {
        Some(Descriptor::owner_only(&current_user()?)?)
    } else {
        None
    };
    let attributes = descriptor.as_ref().map(Descriptor::attributes);
    let name = wide(path.as_os_str());
    let disposition = match how {
        Create::New => CREATE_NEW,
        Create::OpenOrCreate => OPEN_ALWAYS,
    };
    // SAFETY: `name` is NUL-terminated; the attributes (and the descriptor they point
    // to) outlive the call; the returned handle is owned by the File made from it.
    let handle = unsafe {
        CreateFileW(
            name.as_ptr(),
            GENERIC_READ | GENERIC_WRITE,
            FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
            attributes
                .as_ref()
                .map_or(std::ptr::null(), |a| a as *const SECURITY_ATTRIBUTES),
            disposition,
            FILE_ATTRIBUTE_NORMAL,
            std::ptr::null_mut(),
        )
    };
    if handle == INVALID_HANDLE_VALUE {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a valid handle just returned, owned by nothing else.
    Ok(unsafe { File::from_raw_handle(handle as _) })
}

/// Create the folder `path` (its parent must exist), owner-only from its creation when
/// `private`.
pub(crate) fn create_dir(path: &Path, private: bool) -> io::Result<()> {
    let descriptor = if private {
        Some(Descriptor::owner_only(&current_user()?)?)
    } else {
        None
    };
    let attributes = descriptor.as_ref().map(Descriptor::attributes);
    let name = wide(path.as_os_str());
    // SAFETY: `name` is NUL-terminated; the attributes outlive the call.
    let ok = unsafe {
        CreateDirectoryW(
            name.as_ptr(),
            attributes
                .as_ref()
                .map_or(std::ptr::null(), |a| a as *const SECURITY_ATTRIBUTES),
        )
    };
    if ok == 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Who owns a file or folder, and what its DACL allows whom.
#[derive(Debug, Clone)]
pub(crate) struct Access {
    pub(crate) owner: Sid,
    /// `None`: no DACL at all, which lets everyone do anything.
    pub(crate) allowed: Option<Vec<Allowed>>,
}

/// One access-allowed entry that applies to the object itself.
#[derive(Debug, Clone)]
pub(crate) struct Allowed {
    /// `None` for an entry of a kind other than a plain allow (callback, object): its
    /// trustee is not read, and a careful caller counts it as someone else's.
    pub(crate) trustee: Option<Sid>,
    pub(crate) mask: u32,
}

/// Read the owner and DACL out of a descriptor the system allocated.
///
/// SAFETY: `owner` and `dacl` must point into `sd`, which must be valid; `sd` is freed
/// here.
unsafe fn access_from(owner: PSID, dacl: *mut ACL, sd: PSECURITY_DESCRIPTOR) -> io::Result<Access> {
    struct Free(PSECURITY_DESCRIPTOR);
    impl Drop for Free {
        fn drop(&mut self) {
            // SAFETY: allocated by Get(Named)SecurityInfoW, freed once.
            unsafe { LocalFree(self.0 as _) };
        }
    }
    let _free = Free(sd);
    if owner.is_null() {
        return Err(io::Error::other("it has no owner"));
    }
    // SAFETY: the owner SID lives inside `sd`, alive until `_free` drops.
    let owner = unsafe { Sid::copy_from(owner) };
    if dacl.is_null() {
        return Ok(Access {
            owner,
            allowed: None,
        });
    }
    let mut size = ACL_SIZE_INFORMATION::default();
    // SAFETY: `dacl` is a valid ACL inside `sd`; `size` is the structure asked for.
    let ok = unsafe {
        GetAclInformation(
            dacl,
            (&mut size as *mut ACL_SIZE_INFORMATION).cast(),
            std::mem::size_of::<ACL_SIZE_INFORMATION>() as u32,
            AclSizeInformation,
        )
    };
    if ok == 0 {
        return Err(io::Error::last_os_error());
    }
    let mut allowed = Vec::new();
    for i in 0..size.AceCount {
        let mut ace: *mut core::ffi::c_void = std::ptr::null_mut();
        // SAFETY: `i` is below the ACE count just read; `ace` then points into the ACL.
        if unsafe { GetAce(dacl, i, &mut ace) } == 0 || ace.is_null() {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: every ACE starts with an ACE_HEADER.
        let header = unsafe { *(ace as *const ACE_HEADER) };
        if u32::from(header.AceFlags) & INHERIT_ONLY_ACE != 0 {
            continue;
        }
        match u32::from(header.AceType) {
            ACCESS_ALLOWED_ACE_TYPE => {
                let entry = ace as *const ACCESS_ALLOWED_ACE;
                // SAFETY: an ACCESS_ALLOWED_ACE: its mask, then its SID at SidStart,
                // within the ACE's size.
                let (mask, trustee) = unsafe {
                    (
                        (*entry).Mask,
                        Sid::copy_from(std::ptr::addr_of!((*entry).SidStart) as PSID),
                    )
                };
                allowed.push(Allowed {
                    trustee: Some(trustee),
                    mask,
                });
            }
            // Denials only take away; audits, alarms and labels grant nothing.
            1..=3 | 6..=8 | 10 | 12..=21 => {}
            // Callback and object allows: someone is allowed something.
            _ => {
                let entry = ace as *const ACCESS_ALLOWED_ACE;
                // SAFETY: every allow kind has its mask right after the header.
                let mask = unsafe { (*entry).Mask };
                allowed.push(Allowed {
                    trustee: None,
                    mask,
                });
            }
        }
    }
    Ok(Access {
        owner,
        allowed: Some(allowed),
    })
}

/// The owner and DACL of the open `file`.
pub(crate) fn access_of_file(file: &File) -> io::Result<Access> {
    let mut owner: PSID = std::ptr::null_mut();
    let mut dacl: *mut ACL = std::ptr::null_mut();
    let mut sd: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
    // SAFETY: a valid handle opened for reading (READ_CONTROL included); the out
    // pointers receive a descriptor the system allocates, handed to `access_from`.
    let status = unsafe {
        GetSecurityInfo(
            file.as_raw_handle() as HANDLE,
            SE_FILE_OBJECT,
            OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
            &mut owner,
            std::ptr::null_mut(),
            &mut dacl,
            std::ptr::null_mut(),
            &mut sd,
        )
    };
    if status != ERROR_SUCCESS {
        return Err(io::Error::from_raw_os_error(status as i32));
    }
    // SAFETY: as the call returned them.
    unsafe { access_from(owner, dacl, sd) }
}

/// The owner and DACL of the file or folder at `path` (a link itself is not followed
/// here: callers refuse reparse points first).
pub(crate) fn access_of_path(path: &Path) -> io::Result<Access> {
    let name = wide(path.as_os_str());
    let mut owner: PSID = std::ptr::null_mut();
    let mut dacl: *mut ACL = std::ptr::null_mut();
    let mut sd: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
    // SAFETY: `name` is NUL-terminated; the out pointers receive a descriptor the
    // system allocates, handed to `access_from`.
    let status = unsafe {
        GetNamedSecurityInfoW(
            name.as_ptr(),
            SE_FILE_OBJECT,
            OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
            &mut owner,
            std::ptr::null_mut(),
            &mut dacl,
            std::ptr::null_mut(),
            &mut sd,
        )
    };
    if status != ERROR_SUCCESS {
        return Err(io::Error::from_raw_os_error(status as i32));
    }
    // SAFETY: as the call returned them.
    unsafe { access_from(owner, dacl, sd) }
}

/// The identity of the open `file`: its volume and its index there.
pub(crate) fn file_id(file: &File) -> io::Result<(u32, u64)> {
    let mut info = BY_HANDLE_FILE_INFORMATION::default();
    // SAFETY: a valid handle and a structure of the size the call fills.
    if unsafe { GetFileInformationByHandle(file.as_raw_handle() as HANDLE, &mut info) } == 0 {
        return Err(io::Error::last_os_error());
    }
    Ok((
        info.dwVolumeSerialNumber,
        (u64::from(info.nFileIndexHigh) << 32) | u64::from(info.nFileIndexLow),
    ))
}

/// Replace `to` with `from` in one step, the move written through to disk before the
/// call returns.
pub(crate) fn move_replacing(from: &Path, to: &Path) -> io::Result<()> {
    let from = wide(from.as_os_str());
    let to = wide(to.as_os_str());
    // SAFETY: both names are NUL-terminated.
    let ok = unsafe {
        MoveFileExW(
            from.as_ptr(),
            to.as_ptr(),
            MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH,
        )
    };
    if ok == 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// While alive, Ctrl-C and Ctrl-Break do not stop this process: a child on the same
/// console gets them and decides. Children do not inherit this (unlike ignoring them
/// with a null handler, which they would).
pub(crate) struct ConsoleInterruptsIgnored(());

unsafe extern "system" fn ignore_interrupt(_kind: u32) -> BOOL {
    // Handled: the default handler, which ends the process, is not called.
    1
}

impl ConsoleInterruptsIgnored {
    pub(crate) fn new() -> Self {
        // SAFETY: the handler is a plain function that lives as long as the program.
        unsafe { SetConsoleCtrlHandler(Some(ignore_interrupt), 1) };
        Self(())
    }
}

impl Drop for ConsoleInterruptsIgnored {
    fn drop(&mut self) {
        // SAFETY: removes the handler added in `new`.
        unsafe { SetConsoleCtrlHandler(Some(ignore_interrupt), 0) };
    }
}
