/**
 * Pure IPv4 CIDR helpers: parsing, overlap checks and the subnet plan the network uses.
 * Kept free of Pulumi so config validation and tests can call them directly.
 */

/** A parsed IPv4 CIDR block. */
export interface Cidr {
    /** Network address as an unsigned 32-bit integer. */
    readonly base: number;
    /** Prefix length, 0..32. */
    readonly prefix: number;
}

const CIDR_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Parses `a.b.c.d/n`. Returns an error string instead of throwing so callers can name their key.
 * Host bits must be zero (`10.0.0.1/16` is refused) because AWS rejects such blocks.
 */
export function parseCidr(text: string): Cidr | string {
    const m = CIDR_RE.exec(text.trim());
    if (!m) {
        return "is not an IPv4 CIDR block like 10.0.0.0/16";
    }
    const octets = m.slice(1, 5).map(Number);
    const prefix = Number(m[5]);
    if (octets.some((o) => o > 255) || prefix > 32) {
        return "has an octet above 255 or a prefix above /32";
    }
    const base = ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3];
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    if ((base & ~mask) >>> 0 !== 0) {
        return `has host bits set (did you mean ${formatCidr({ base: (base & mask) >>> 0, prefix })}?)`;
    }
    return { base, prefix };
}

/** Formats a CIDR back to `a.b.c.d/n`. */
export function formatCidr(c: Cidr): string {
    const b = c.base;
    return `${b >>> 24}.${(b >>> 16) & 255}.${(b >>> 8) & 255}.${b & 255}/${c.prefix}`;
}

/** Number of addresses in a block. */
function size(c: Cidr): number {
    return 2 ** (32 - c.prefix);
}

/** True when two blocks share any address. */
export function overlaps(a: Cidr, b: Cidr): boolean {
    return a.base < b.base + size(b) && b.base < a.base + size(a);
}

/** True when `inner` lies entirely inside `outer`. */
export function contains(outer: Cidr, inner: Cidr): boolean {
    return inner.prefix >= outer.prefix && inner.base >= outer.base && inner.base + size(inner) <= outer.base + size(outer);
}

/** The `index`-th block of length `newPrefix` inside `parent`. */
export function subnet(parent: Cidr, newPrefix: number, index: number): Cidr {
    const count = 2 ** (newPrefix - parent.prefix);
    if (newPrefix < parent.prefix || index < 0 || index >= count) {
        throw new Error(`cannot take block ${index} of /${newPrefix} from ${formatCidr(parent)}`);
    }
    return { base: (parent.base + index * 2 ** (32 - newPrefix)) >>> 0, prefix: newPrefix };
}

const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map((t) => parseCidr(t) as Cidr);

/** True when the block lies inside an RFC 1918 private range. */
export function isPrivate(c: Cidr): boolean {
    return PRIVATE_RANGES.some((r) => contains(r, c));
}

/** Subnet CIDRs for one availability zone. */
export interface AzSubnetPlan {
    readonly private: string;
    readonly public: string;
    readonly database: string;
}

/**
 * The subnet plan for a VPC. Private (node and pod) subnets get a quarter of the VPC each, because
 * the VPC CNI gives every pod a VPC address; public subnets (load balancers, NAT) and database
 * subnets get a 1/64 slice each from the last quarter. Supports up to three AZs and VPC prefixes
 * /16 to /20 (a /20 still leaves /26 database subnets, the smallest RDS accepts comfortably).
 */
export function planSubnets(vpcCidr: string, azCount: number): AzSubnetPlan[] {
    const vpc = parseCidr(vpcCidr);
    if (typeof vpc === "string") {
        throw new Error(`vpcCidr ${vpcCidr} ${vpc}`);
    }
    if (azCount < 1 || azCount > 3) {
        throw new Error(`azCount ${azCount} must be between 1 and 3`);
    }
    const spare = subnet(vpc, vpc.prefix + 2, 3);
    return Array.from({ length: azCount }, (_, i) => ({
        private: formatCidr(subnet(vpc, vpc.prefix + 2, i)),
        public: formatCidr(subnet(spare, spare.prefix + 4, i)),
        database: formatCidr(subnet(spare, spare.prefix + 4, 8 + i)),
    }));
}
