package dev.ember.ceph;

import java.util.Map;

/** Linux errno numbers that Ceph returns (negated), with their symbolic names and strerror text. */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EIO = 5;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EXDEV = 18;
    public static final int EINVAL = 22;
    public static final int EFBIG = 27;
    public static final int ENOSPC = 28;
    public static final int EROFS = 30;
    public static final int EDOM = 33;
    public static final int ERANGE = 34;
    public static final int ENOSYS = 38;
    public static final int ENOTEMPTY = 39;
    public static final int ENODATA = 61;
    public static final int EOPNOTSUPP = 95;
    public static final int ESHUTDOWN = 108;
    public static final int ETIMEDOUT = 110;
    public static final int ECONNREFUSED = 111;
    public static final int ECANCELED = 125;

    private record Info(String symbol, String text) {
    }

    private static final Map<Integer, Info> INFO = Map.ofEntries(
            Map.entry(EPERM, new Info("EPERM", "Operation not permitted")),
            Map.entry(ENOENT, new Info("ENOENT", "No such file or directory")),
            Map.entry(EIO, new Info("EIO", "Input/output error")),
            Map.entry(EBADF, new Info("EBADF", "Bad file descriptor")),
            Map.entry(EAGAIN, new Info("EAGAIN", "Resource temporarily unavailable")),
            Map.entry(ENOMEM, new Info("ENOMEM", "Cannot allocate memory")),
            Map.entry(EACCES, new Info("EACCES", "Permission denied")),
            Map.entry(EBUSY, new Info("EBUSY", "Device or resource busy")),
            Map.entry(EEXIST, new Info("EEXIST", "File exists")),
            Map.entry(EXDEV, new Info("EXDEV", "Invalid cross-device link")),
            Map.entry(EINVAL, new Info("EINVAL", "Invalid argument")),
            Map.entry(EFBIG, new Info("EFBIG", "File too large")),
            Map.entry(ENOSPC, new Info("ENOSPC", "No space left on device")),
            Map.entry(EROFS, new Info("EROFS", "Read-only file system")),
            Map.entry(EDOM, new Info("EDOM", "Numerical argument out of domain")),
            Map.entry(ERANGE, new Info("ERANGE", "Numerical result out of range")),
            Map.entry(ENOSYS, new Info("ENOSYS", "Function not implemented")),
            Map.entry(ENOTEMPTY, new Info("ENOTEMPTY", "Directory not empty")),
            Map.entry(ENODATA, new Info("ENODATA", "No data available")),
            Map.entry(EOPNOTSUPP, new Info("EOPNOTSUPP", "Operation not supported")),
            Map.entry(ESHUTDOWN, new Info("ESHUTDOWN", "Cannot send after transport endpoint shutdown (blocklisted?)")),
            Map.entry(ETIMEDOUT, new Info("ETIMEDOUT", "Connection timed out")),
            Map.entry(ECONNREFUSED, new Info("ECONNREFUSED", "Connection refused")),
            Map.entry(ECANCELED, new Info("ECANCELED", "Operation canceled")));

    private Errno() {
    }

    /** "ENOENT", or "errno 1234" for numbers not in the table. */
    public static String symbol(int errno) {
        Info i = INFO.get(Math.abs(errno));
        return i == null ? "errno " + Math.abs(errno) : i.symbol();
    }

    /** strerror-like text. */
    public static String describe(int errno) {
        Info i = INFO.get(Math.abs(errno));
        return i == null ? "Unknown error " + Math.abs(errno) : i.text();
    }
}
