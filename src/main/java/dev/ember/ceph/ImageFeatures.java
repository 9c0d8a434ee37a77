package dev.ember.ceph;

/** RBD feature bits ({@code rbd/features.h}). */
public final class ImageFeatures {
    public static final long LAYERING = 1L;
    public static final long STRIPINGV2 = 1L << 1;
    public static final long EXCLUSIVE_LOCK = 1L << 2;
    public static final long OBJECT_MAP = 1L << 3;
    public static final long FAST_DIFF = 1L << 4;
    public static final long DEEP_FLATTEN = 1L << 5;
    public static final long JOURNALING = 1L << 6;
    public static final long DATA_POOL = 1L << 7;

    /** What {@code rbd create} gives by default (61): layering, exclusive-lock, object-map, fast-diff, deep-flatten. */
    public static final long DEFAULT = LAYERING | EXCLUSIVE_LOCK | OBJECT_MAP | FAST_DIFF | DEEP_FLATTEN;

    private ImageFeatures() {
    }

    public static boolean has(long features, long bit) {
        return (features & bit) == bit;
    }
}
