;; Dot products of query vectors with every row of a matrix of float32 rows, with 128-bit SIMD.
;; Offsets are in bytes; rows and queries are padded with zeros to a multiple of 4 floats (dp floats).
;; Build: npm run gen:wasm (writes kernel-wasm.ts).
(module
  (memory (export "memory") 1)

  (func $hsum (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; Four queries at once: each row is loaded once and used four times.
  (func (export "scores4")
    (param $mat i32) (param $n i32) (param $dp i32)
    (param $q0 i32) (param $q1 i32) (param $q2 i32) (param $q3 i32)
    (param $o0 i32) (param $o1 i32) (param $o2 i32) (param $o3 i32)
    (local $r i32) (local $row i32) (local $t i32) (local $bytes i32) (local $out i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $x v128)
    (local.set $bytes (i32.shl (local.get $dp) (i32.const 2)))
    (local.set $row (local.get $mat))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $r) (local.get $n)))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0))
        (local.set $a3 (v128.const i32x4 0 0 0 0))
        (local.set $t (i32.const 0))
        (block $rowdone
          (loop $cols
            (br_if $rowdone (i32.ge_u (local.get $t) (local.get $bytes)))
            (local.set $x (v128.load (i32.add (local.get $row) (local.get $t))))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $x) (v128.load (i32.add (local.get $q0) (local.get $t))))))
            (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $x) (v128.load (i32.add (local.get $q1) (local.get $t))))))
            (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $x) (v128.load (i32.add (local.get $q2) (local.get $t))))))
            (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $x) (v128.load (i32.add (local.get $q3) (local.get $t))))))
            (local.set $t (i32.add (local.get $t) (i32.const 16)))
            (br $cols)))
        (local.set $out (i32.shl (local.get $r) (i32.const 2)))
        (f32.store (i32.add (local.get $o0) (local.get $out)) (call $hsum (local.get $a0)))
        (f32.store (i32.add (local.get $o1) (local.get $out)) (call $hsum (local.get $a1)))
        (f32.store (i32.add (local.get $o2) (local.get $out)) (call $hsum (local.get $a2)))
        (f32.store (i32.add (local.get $o3) (local.get $out)) (call $hsum (local.get $a3)))
        (local.set $row (i32.add (local.get $row) (local.get $bytes)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows))))

  ;; One query.
  (func (export "scores1")
    (param $mat i32) (param $n i32) (param $dp i32) (param $q0 i32) (param $o0 i32)
    (local $r i32) (local $row i32) (local $t i32) (local $bytes i32)
    (local $a0 v128) (local $a1 v128)
    (local.set $bytes (i32.shl (local.get $dp) (i32.const 2)))
    (local.set $row (local.get $mat))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $r) (local.get $n)))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $t (i32.const 0))
        (block $rowdone
          (loop $cols
            (br_if $rowdone (i32.ge_u (local.get $t) (local.get $bytes)))
            (local.set $a0 (f32x4.add (local.get $a0)
              (f32x4.mul (v128.load (i32.add (local.get $row) (local.get $t))) (v128.load (i32.add (local.get $q0) (local.get $t))))))
            (local.set $t (i32.add (local.get $t) (i32.const 16)))
            (br $cols)))
        (f32.store (i32.add (local.get $o0) (i32.shl (local.get $r) (i32.const 2))) (call $hsum (local.get $a0)))
        (local.set $row (i32.add (local.get $row) (local.get $bytes)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows))))
)
