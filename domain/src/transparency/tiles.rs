//! The log's Merkle tree as C2SP tlog-tiles hash tiles: a tile at level `L`, index `N`, holds
//! up to 256 consecutive hashes of the tree's level `8 L` (level 0: the leaf hashes), each the
//! root of a perfect subtree of `256^L` leaves; a full tile holds 256 and never changes, a
//! partial one (`.p/W`) the first `W` of a tile still growing, and never changes either.
//! Paths are `tile/<L>/<N>[.p/<W>]`, `N` in zero-padded groups of three digits, all but the
//! last prefixed with `x` (index 1234067 is `x001/x234/067`).

use std::ops::Range;

/// Hashes in a full tile.
pub const TILE_WIDTH: u64 = 256;

/// The highest level a tile path may name.
const MAX_LEVEL: u8 = 63;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tile {
    pub level: u8,
    pub index: u64,
    /// Hashes held: 256 for a full tile, 1 to 255 for a partial one.
    pub width: u16,
}

impl Tile {
    /// The tile a path names (what follows `tile/`), if it is a canonical tile path.
    pub fn parse(path: &str) -> Option<Tile> {
        let (level, rest) = path.split_once('/')?;
        if level.is_empty() || (level.len() > 1 && level.starts_with('0')) {
            return None;
        }
        let level: u8 = level.parse().ok().filter(|l| *l <= MAX_LEVEL)?;
        let (index_part, width) = match rest.split_once(".p/") {
            Some((index, width)) => {
                if width.is_empty()
                    || width.starts_with('0')
                    || !width.bytes().all(|b| b.is_ascii_digit())
                {
                    return None;
                }
                let width: u16 = width.parse().ok()?;
                if !(1..TILE_WIDTH as u16).contains(&width) {
                    return None;
                }
                (index, width)
            }
            None => (rest, TILE_WIDTH as u16),
        };
        let groups: Vec<&str> = index_part.split('/').collect();
        let mut index: u64 = 0;
        for (i, group) in groups.iter().enumerate() {
            let last = i + 1 == groups.len();
            let digits = if last {
                *group
            } else {
                group.strip_prefix('x')?
            };
            if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            // No leading group of zeros: one spelling per index.
            if i == 0 && !last && digits == "000" {
                return None;
            }
            index = index
                .checked_mul(1000)?
                .checked_add(digits.parse::<u64>().ok()?)?;
        }
        Some(Tile {
            level,
            index,
            width,
        })
    }

    /// The tile's path, `tile/<L>/<N>[.p/<W>]`.
    pub fn path(&self) -> String {
        let mut groups = Vec::new();
        let mut n = self.index;
        loop {
            groups.push(n % 1000);
            n /= 1000;
            if n == 0 {
                break;
            }
        }
        let last = groups.len() - 1;
        let index: Vec<String> = groups
            .iter()
            .rev()
            .enumerate()
            .map(|(i, g)| {
                if i == last {
                    format!("{g:03}")
                } else {
                    format!("x{g:03}")
                }
            })
            .collect();
        let partial = if self.is_full() {
            String::new()
        } else {
            format!(".p/{}", self.width)
        };
        format!("tile/{}/{}{partial}", self.level, index.join("/"))
    }

    pub fn is_full(&self) -> bool {
        u64::from(self.width) == TILE_WIDTH
    }

    /// Leaves under each hash of this tile: `256^level` (None past what a u64 holds).
    pub fn leaves_per_hash(&self) -> Option<u64> {
        TILE_WIDTH.checked_pow(u32::from(self.level))
    }

    /// The leaves under each of the tile's hashes, in order.
    pub fn hash_ranges(&self) -> Option<Vec<Range<u64>>> {
        let span = self.leaves_per_hash()?;
        let first = self.index.checked_mul(TILE_WIDTH)?;
        (0..u64::from(self.width))
            .map(|i| {
                let start = first.checked_add(i)?.checked_mul(span)?;
                Some(start..start.checked_add(span)?)
            })
            .collect()
    }

    /// Whether the tree of the first `size` leaves has all of this tile's hashes.
    pub fn within(&self, size: u64) -> bool {
        self.hash_ranges()
            .and_then(|ranges| ranges.last().map(|r| r.end <= size))
            .unwrap_or(false)
    }

    /// Every tile of the tree of the first `size` leaves: the full ones, and at each level
    /// the partial one its last hashes make, if any.
    pub fn all_of(size: u64) -> Vec<Tile> {
        let mut tiles = Vec::new();
        let mut span: u64 = 1;
        for level in 0..=MAX_LEVEL {
            let hashes = size / span;
            if hashes == 0 {
                break;
            }
            for index in 0..hashes / TILE_WIDTH {
                tiles.push(Tile {
                    level,
                    index,
                    width: TILE_WIDTH as u16,
                });
            }
            let rest = hashes % TILE_WIDTH;
            if rest > 0 {
                tiles.push(Tile {
                    level,
                    index: hashes / TILE_WIDTH,
                    width: rest as u16,
                });
            }
            match span.checked_mul(TILE_WIDTH) {
                Some(next) => span = next,
                None => break,
            }
        }
        tiles
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_spelt_as_the_spec_spells_them_and_read_back() {
        let tile = Tile {
            level: 4,
            index: 1_234_067,
            width: 8,
        };
        assert_eq!(tile.path(), "tile/4/x001/x234/067.p/8");
        assert_eq!(Tile::parse("4/x001/x234/067.p/8"), Some(tile));
        let full = Tile {
            level: 0,
            index: 0,
            width: 256,
        };
        assert_eq!(full.path(), "tile/0/000");
        assert_eq!(Tile::parse("0/000"), Some(full));
        assert_eq!(Tile::parse("0/x001/000").unwrap().index, 1000);
    }

    #[test]
    fn other_spellings_are_not_tiles() {
        for path in [
            "0/00",
            "0/0000",
            "00/000",
            "0/x000/001",
            "0/001/002",
            "0/x01/002",
            "0/000.p/0",
            "0/000.p/256",
            "0/000.p/08",
            "64/000",
            "0/000.p/",
            "0/abc",
            "0",
            "0/000/",
        ] {
            assert_eq!(Tile::parse(path), None, "{path}");
        }
    }

    #[test]
    fn a_tree_has_full_tiles_and_one_partial_tile_a_level() {
        // 70,000 leaves: 273 full leaf tiles and one of 112; 273 level-1 hashes: one full
        // level-1 tile and one of 17; one level-2 hash.
        let tiles = Tile::all_of(70_000);
        let level = |l: u8| tiles.iter().filter(|t| t.level == l).collect::<Vec<_>>();
        assert_eq!(level(0).len(), 274);
        assert_eq!(level(0).last().unwrap().width, 112);
        assert_eq!(level(1).len(), 2);
        assert_eq!(level(1).last().unwrap().width, 17);
        assert_eq!(level(2).len(), 1);
        assert_eq!(level(2)[0].width, 1);
        assert!(tiles.iter().all(|t| t.within(70_000)));
        assert!(!Tile::parse("0/273").unwrap().within(70_000));
    }
}
