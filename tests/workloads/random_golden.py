#!/usr/bin/env python3
"""Independent transcription of workloads/random.cpp, for the golden draws in random_test.cpp.

Written from the reference algorithms (xoshiro256starstar.c, splitmix64.c by Blackman & Vigna,
FNV-1a, Box-Muller, Marsaglia-Tsang, Hoermann-Derflinger rejection-inversion), not from the C++.
It first checks the published test vectors (xoshiro256** from state {1, 2, 3, 4}; SplitMix64
from 0), then prints the goldens. Python's math module calls the same C library as the C++ code,
so the continuous draws agree to the last bit on glibc. Run: python3 random_golden.py
"""
import math

M = (1 << 64) - 1


def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & M
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return state, z ^ (z >> 31)


def fnv1a64(text):
    h = 0xCBF29CE484222325
    for b in text.encode():
        h = ((h ^ b) * 0x100000001B3) & M
    return h


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M


class Xoshiro:
    def __init__(self, seed=None, state=None):
        if state is not None:
            self.s = list(state)
        else:
            self.s = []
            sm = seed
            for _ in range(4):
                sm, v = splitmix64(sm)
                self.s.append(v)

    def next(self):
        s = self.s
        result = (rotl((s[1] * 5) & M, 7) * 9) & M
        t = (s[1] << 17) & M
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result


def make_stream(seed, name):
    _, mixed = splitmix64(seed)
    return Xoshiro(seed=mixed ^ fnv1a64(name))


def uniform(r):
    return (r.next() >> 11) * 2.0**-53


def uniform_int(r, lo, hi):
    rng = (hi - lo + 1) & M
    limit = ((1 << 64) - rng) % rng
    x = r.next()
    while x < limit:
        x = r.next()
    return lo + x % rng


def exponential(r, mean):
    return -mean * math.log(1.0 - uniform(r))


def normal(r, mean, sd):
    u1 = uniform(r)
    u2 = uniform(r)
    return mean + sd * (math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2))


def lognormal(r, mu, sigma):
    return math.exp(normal(r, mu, sigma))


def gamma(r, k, theta):
    if k < 1.0:
        g = gamma(r, k + 1.0, 1.0)
        u = 1.0 - uniform(r)
        return theta * g * math.pow(u, 1.0 / k)
    d = k - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        while True:
            x = normal(r, 0.0, 1.0)
            v = 1.0 + c * x
            if v > 0.0:
                break
        v = v * v * v
        u = uniform(r)
        x2 = x * x
        if u < 1.0 - 0.0331 * x2 * x2:
            return theta * d * v
        if (math.log(u) if u > 0 else -math.inf) < 0.5 * x2 + d * (1.0 - v + math.log(v)):
            return theta * d * v


class Zipf:
    def __init__(self, n, s):
        self.n, self.s = n, s
        self.hx1 = self.hint(1.5) - 1.0
        self.hn = self.hint(n + 0.5)
        self.sq = 2.0 - self.hinv(self.hint(2.5) - self.h(2.0))

    def h(self, x):
        return math.exp(-self.s * math.log(x))

    def hint(self, x):
        lx = math.log(x)
        y = (1.0 - self.s) * lx
        f = math.expm1(y) / y if abs(y) > 1e-8 else 1.0 + y * 0.5 * (1.0 + y / 3.0 * (1.0 + 0.25 * y))
        return f * lx

    def hinv(self, x):
        t = x * (1.0 - self.s)
        if t < -1.0:
            t = -1.0
        f = math.log1p(t) / t if abs(t) > 1e-8 else 1.0 - t * (0.5 - t * (1.0 / 3.0 - 0.25 * t))
        return math.exp(f * x)

    def sample(self, r):
        while True:
            u = self.hn + uniform(r) * (self.hx1 - self.hn)
            x = self.hinv(u)
            k = math.floor(x + 0.5)
            k = 1 if k < 1 else (self.n if k > self.n else k)
            if k - x <= self.sq or u >= self.hint(k + 0.5) - self.h(k):
                return k


# Published vectors: the transcription must reproduce them before anything else is trusted.
x = Xoshiro(state=[1, 2, 3, 4])
assert [x.next() for _ in range(10)] == [
    11520, 0, 1509978240, 1215971899390074240, 1216172134540287360, 607988272756665600,
    16172922978634559625, 8476171486693032832, 10595114339597558777, 2904607092377533576]
sm, out = 0, []
for _ in range(4):
    sm, v = splitmix64(sm)
    out.append(v)
assert out == [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F, 0xF88BB8A8724C81EC]
assert fnv1a64("") == 0xCBF29CE484222325 and fnv1a64("a") == 0xAF63DC4C8601EC8C

print("fnv1a64('arrivals') = %#018x" % fnv1a64("arrivals"))
r = Xoshiro(seed=42)
print("RngStream(42).state =", ", ".join("%#018x" % w for w in r.s))
print("RngStream(42) raw:", ", ".join("%#018x" % r.next() for _ in range(4)))
r = make_stream(42, "arrivals")
print("MakeStream(42, arrivals) raw:", ", ".join("%#018x" % r.next() for _ in range(4)))


def show(name, f, n=5):
    r = make_stream(42, "golden")
    print(name + ":", ", ".join(repr(f(r)) for _ in range(n)))


show("UniformDouble", uniform)
show("UniformInt(1,6)", lambda r: uniform_int(r, 1, 6), 8)
show("UniformInt(-5,1e12)", lambda r: uniform_int(r, -5, 10**12))
show("Exponential(2)", lambda r: exponential(r, 2.0))
show("Normal(10,3)", lambda r: normal(r, 10.0, 3.0))
show("LogNormal(1,0.5)", lambda r: lognormal(r, 1.0, 0.5))
show("Gamma(2.5,2)", lambda r: gamma(r, 2.5, 2.0))
show("Gamma(0.5,1)", lambda r: gamma(r, 0.5, 1.0))
z = Zipf(1000, 1.1)
show("Zipf(1000,1.1)", z.sample, 8)
z1 = Zipf(10, 1.0)
show("Zipf(10,1)", z1.sample, 8)
show("EmpiricalIndex(7)", lambda r: uniform_int(r, 0, 6), 8)
