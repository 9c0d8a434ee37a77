package dev.ember.ceph;

/**
 * Options for {@link Pool#createImage(String, long, ImageOptions)} ({@code rbd_create4}); a null
 * field leaves librbd's default (from the config, e.g. {@code rbd_default_features}). Images are
 * always format 2.
 *
 * @param features    feature bits, see {@link ImageFeatures}
 * @param order       object size as a power of two (22 = 4 MiB)
 * @param stripeUnit  stripe unit in bytes (needs {@link ImageFeatures#STRIPINGV2} if not the object size)
 * @param stripeCount objects per stripe
 * @param dataPool    separate data pool name
 */
public record ImageOptions(Long features, Integer order, Long stripeUnit, Long stripeCount, String dataPool) {

    /** All librbd defaults. */
    public static ImageOptions defaults() {
        return new ImageOptions(null, null, null, null, null);
    }

    public ImageOptions withFeatures(long f) {
        return new ImageOptions(f, order, stripeUnit, stripeCount, dataPool);
    }

    public ImageOptions withOrder(int o) {
        return new ImageOptions(features, o, stripeUnit, stripeCount, dataPool);
    }

    public ImageOptions withStriping(long unit, long count) {
        return new ImageOptions(features, order, unit, count, dataPool);
    }

    public ImageOptions withDataPool(String pool) {
        return new ImageOptions(features, order, stripeUnit, stripeCount, pool);
    }
}
