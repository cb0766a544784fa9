// Whether TDPBF16PS sums a tile by pairs: each pair's two products summed and rounded, then
// added (pair-sum-then-add), or the pair added to C with one rounding (single-rounding).
#include <immintrin.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <unistd.h>
#include <sys/syscall.h>
typedef struct { uint8_t palette, start; uint8_t res[14]; uint16_t colsb[16]; uint8_t rows[16]; } cfg_t;
static float w(uint16_t h){ uint32_t u=(uint32_t)h<<16; float f; memcpy(&f,&u,4); if((h&0x7f80)==0){u&=0x80000000; memcpy(&f,&u,4);} return f;}
static float ftz(float f){ uint32_t u; memcpy(&u,&f,4); if((u&0x7f800000)==0){u&=0x80000000; memcpy(&f,&u,4);} return f;}
static uint16_t rnd(){ float f = ((rand()/(float)RAND_MAX)*2-1) * ldexpf(1, rand()%40-20); uint32_t u; memcpy(&u,&f,4); return u>>16; }
int main(){
  syscall(SYS_arch_prctl, 0x1023, 18);
  cfg_t c; memset(&c,0,64); c.palette=1;
  for(int i=0;i<3;i++){c.rows[i]=16;c.colsb[i]=64;}
  _tile_loadconfig(&c);
  static uint16_t A[16][32], B[16][32]; static float C[16][16], C0[16][16];
  int bad_even=0, bad_odd=0, tot=0;
  for(int trial=0; trial<200; trial++){
    for(int i=0;i<16;i++)for(int k=0;k<32;k++)A[i][k]=rnd();
    for(int k=0;k<16;k++)for(int j=0;j<32;j++)B[k][j]=rnd();
    for(int i=0;i<16;i++)for(int j=0;j<16;j++)C0[i][j]=ldexpf((rand()/(float)RAND_MAX)*2-1, rand()%20-10);
    _tile_loadd(0,C0,64); _tile_loadd(1,A,64); _tile_loadd(2,B,64);
    _tile_dpbf16ps(0,1,2); _tile_stored(0,C,64);
    for(int i=0;i<16;i++)for(int j=0;j<16;j++){
      float e=C0[i][j], o=C0[i][j];
      for(int k=0;k<16;k++){
        float p0=w(A[i][2*k])*w(B[k][2*j]), p1=w(A[i][2*k+1])*w(B[k][2*j+1]);
        e = ftz(e + ftz(p0+p1));
        o = ftz((float)((double)o + (double)p0 + (double)p1));
      }
      tot++; if(e!=C[i][j]) bad_even++; if(o!=C[i][j]) bad_odd++;
    }
  }
  _tile_release();
  printf("of %d: pair-sum-then-add differs %d, single-rounding differs %d\n", tot, bad_even, bad_odd);
  return 0;
}
